"""Leave-a-message and cases (LEAVEMSG, CASES, CASE, CASESET, CASENOTE,
CASEREPLY, CASEFROM): a visitor nobody can take leaves a message with how
to reach them (the group's required fields enforced); it becomes a case the
staff of its group see (* CASENEW), assign, note, reply to and close, with
its history; a reply reaches the visitor at once when connected and
otherwise when they come back with their token, exactly once; an agent
turns a chat into a case; an agent of other groups sees none of it."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server(extra={"agent": {"default_status": "away"}, "groups": [
    {"name": "sales", "mode": "auto"},
    {"name": "tech", "mode": "manual", "leave_message_require": "name,phone"},
]}).start()


def err(final, code):
    return final is not None and final.startswith("ERR " + code)


try:
    # -- nobody on duty: * CLOSED says what a message needs
    v = srv.client()
    h = v.hello("name=张三 group=sales :我的订单没有到")
    tok, chat1 = h["token"], h["chat"]
    cl = v.expect_event("CLOSED " + chat1)
    t.ok(cl is not None and kv(cl).get("need") == "phone|email" and "LEAVEMSG" in text(cl),
         "* CLOSED offers LEAVEMSG and names the fields needed (default phone|email)", cl)
    final, rows = v.cmd("HELP")
    t.ok(any(r.startswith("LEAVEMSG ") for r in rows), "HELP lists LEAVEMSG for a visitor", rows)

    # -- LEAVEMSG: bad input
    for line, code, what in (
            ("LEAVEMSG :hello", "ARGS", "without phone or email"),
            ("LEAVEMSG phone=12 :hello", "ARGS", "a phone of two digits"),
            ("LEAVEMSG phone=abc123456 :hello", "ARGS", "a phone with letters"),
            ("LEAVEMSG email=nobody :hello", "ARGS", "an e-mail without @"),
            ("LEAVEMSG email=a@b :hello", "ARGS", "an e-mail without a domain dot"),
            ("LEAVEMSG phone=13800138000 fax=1 :hello", "ARGS", "an unknown field"),
            ("LEAVEMSG phone=13800138000 :", "ARGS", "an empty message"),
            ("LEAVEMSG phone=13800138000 :" + "x" * 4097, "ARGS", "a message over 4096 bytes"),
            ("LEAVEMSG phone=13800138000 group=nosuch :hi", "NOTFOUND", "an unknown group"),
            ("LEAVEMSG phone=13800138000", "ARGS", "no message text at all")):
        final, _ = v.cmd(line)
        t.ok(err(final, code), "LEAVEMSG %s: ERR %s" % (what, code), final)
    final, _ = v.cmd("LEAVEMSG email=" + "a" * 300 + "@x.cn :hi")
    t.ok(err(final, "ARGS"), "LEAVEMSG with a 300-byte field: ERR ARGS", final)
    t.ok("missing" not in (final or "") and "phone or email" in (v.cmd("LEAVEMSG :x")[0] or ""),
         "the refusal names what is missing: phone or email")

    # -- an agent on duty (away, so still nobody takes chats) sees the new case
    a = srv.client(); a.login("alice")    # away: logged in, takes no chats
    final, _ = v.cmd("LEAVEMSG phone=+86\\s138-0013-8000 :请回电,订单 12345 没到")
    t.ok(final is not None and final.startswith("OK case="), "LEAVEMSG with a phone: OK case=N", final)
    case1 = kv(final).get("case")
    ended = v.expect_event("ENDED " + chat1)
    t.ok(ended is not None and "by=visitor" in ended,
         "the queued chat ends (the visitor gave up waiting)", ended)
    ev = a.expect_event("CASENEW " + str(case1))
    f = kv(ev)
    t.ok(ev is not None and f.get("group") == "sales" and f.get("chat") == chat1 and
         f.get("name") == "张三" and text(ev) == "请回电,订单 12345 没到",
         "agents of the group get * CASENEW with group, chat, name and the message", ev)
    t.ok(a.expect_event("QDEL " + chat1) is not None, "the chat left the queue (* QDEL)")
    final, _ = v.cmd("SAY :still there?")
    t.ok(err(final, "STATE"), "after LEAVEMSG the chat is over: SAY gets ERR STATE", final)

    # -- CASES and CASE
    final, rows = a.cmd("CASES")
    row = [r for r in rows if r.startswith(case1 + " ")]
    f = kv(row[0]) if row else {}
    t.ok(row and f.get("state") == "new" and f.get("group") == "sales" and
         f.get("phone") == "+86 138-0013-8000" and f.get("name") == "张三" and
         f.get("source") == "message" and f.get("assignee") == "" and f.get("replies") == "0",
         "CASES lists the case: new, group, contact, source, no assignee", rows)
    final, rows = a.cmd("CASE " + case1)
    t.ok(final == "OK 2" and rows[0].startswith("case " + case1 + " ") and
         text(rows[0]) == "请回电,订单 12345 没到" and rows[1].startswith("event ") and
         kv(rows[1]).get("kind") == "created",
         "CASE gives the case row, then its history (created)", rows)
    for line, code in (("CASE 0", "ARGS"), ("CASE x", "ARGS"), ("CASE 99999", "NOTFOUND"),
                       ("CASES bogus", "NOTFOUND"), ("CASES new limit=0", "ARGS"),
                       ("CASES new limit=201", "ARGS"), ("CASES before=x", "ARGS"),
                       ("CASES color=red", "ARGS")):
        final, _ = a.cmd(line)
        t.ok(err(final, code), "%s: ERR %s" % (line, code), final)

    # -- required fields per group: tech needs name and phone
    v2 = srv.client()
    v2.hello("group=tech :printer")
    cl = v2.expect_event("CLOSED")
    t.ok(cl is not None and kv(cl).get("need") == "name,phone", "tech's * CLOSED says need=name,phone", cl)
    final, _ = v2.cmd("LEAVEMSG phone=010-12345678 :printer on fire")
    t.ok(err(final, "ARGS") and "name" in final, "tech: LEAVEMSG without a name: ERR ARGS naming it", final)
    final, _ = v2.cmd("LEAVEMSG name=Bob email=bob@example.com :printer on fire")
    t.ok(err(final, "ARGS") and "phone" in final, "tech: LEAVEMSG without a phone: ERR ARGS", final)
    final, _ = v2.cmd("LEAVEMSG name=Bob phone=010-12345678 :printer on fire")
    t.ok(final.startswith("OK case="), "tech: with name and phone: OK", final)
    case2 = kv(final)["case"]

    # -- an agent of tech only sees tech's cases
    adm = srv.client(); adm.login("admin")
    adm.ok("USERADD dave agent groups=tech :davepass1")
    d = srv.client(); d.login("dave", "davepass1")
    final, rows = d.cmd("CASES all")
    ids = [r.split()[0] for r in rows]
    t.ok(case2 in ids and case1 not in ids, "dave (tech) lists tech's case and not sales'", rows)
    final, _ = d.cmd("CASE " + case1)
    t.ok(err(final, "DENIED"), "dave: CASE of a sales case: ERR DENIED", final)
    for line in ("CASENOTE %s :x" % case1, "CASEREPLY %s :x" % case1, "CASESET %s state=closed" % case1):
        final, _ = d.cmd(line)
        t.ok(err(final, "DENIED"), "dave: %s: ERR DENIED" % line.split()[0], final)
    final, _ = d.cmd("CASES sales")
    t.ok(err(final, "DENIED"), "dave: CASES sales: ERR DENIED", final)

    # -- filters and paging
    final, rows = a.cmd("CASES new")
    t.eq(sorted(r.split()[0] for r in rows), sorted([case1, case2]), "CASES new: both new cases")
    final, rows = a.cmd("CASES tech")
    t.eq([r.split()[0] for r in rows], [case2], "CASES tech: tech's only")
    final, rows = a.cmd("CASES limit=1")
    t.ok(len(rows) == 1 and rows[0].split()[0] == case2 and kv(final).get("next") == case2,
         "CASES limit=1: the newest, and next= for the following page", (final, rows))
    final, rows = a.cmd("CASES before=%s limit=1" % case2)
    t.ok(len(rows) == 1 and rows[0].split()[0] == case1 and "next=" not in final,
         "CASES before=ID: the next page, and no next= at the end", (final, rows))

    # -- assign, note; a new case someone takes is open
    final, _ = a.cmd("CASESET %s assignee=nobody" % case1)
    t.ok(err(final, "NOTFOUND"), "CASESET to an unknown user: ERR NOTFOUND", final)
    final, _ = a.cmd("CASESET %s state=done" % case1)
    t.ok(err(final, "ARGS"), "CASESET a bad state: ERR ARGS", final)
    final, _ = a.cmd("CASESET %s" % case1)
    t.ok(err(final, "ARGS"), "CASESET without a change: ERR ARGS", final)
    final, _ = a.cmd("CASESET %s assignee=dave" % case1)
    t.eq(final, "OK state=open assignee=dave", "assigning a new case opens it")
    up = d.expect_event("CASEUPD " + case1)
    t.ok(up is not None and kv(up).get("assignee") == "dave" and kv(up).get("by") == "alice",
         "the assignee (not of the group) gets * CASEUPD", up)
    final, rows = d.cmd("CASE " + case1)
    t.ok(final.startswith("OK"), "dave now sees the case he was given", final)
    final, _ = d.cmd("CASENOTE %s :客户要求下午回电" % case1)
    t.ok(final.startswith("OK id="), "CASENOTE: OK id=N", final)
    final, _ = d.cmd("CASENOTE %s :" % case1)
    t.ok(err(final, "ARGS"), "an empty CASENOTE: ERR ARGS", final)
    final, _ = a.cmd("CASESET %s assignee=none" % case1)
    t.eq(final, "OK state=open assignee=none", "assignee=none unassigns")

    # -- reply while the visitor is away; it arrives when they come back
    v.quit()
    final, _ = a.cmd("CASEREPLY %s :您好,包裹明天送到。" % case1)
    t.eq(kv(final).get("delivered"), "0", "CASEREPLY while the visitor is away: delivered=0")
    rid = kv(final).get("id")
    v3 = srv.client()
    h3 = v3.hello("token=%s :我回来了" % tok)
    t.eq(h3.get("visitor"), h.get("visitor"), "the visitor comes back with their token")
    rep = v3.expect_event("CASEREPLY %s %s" % (case1, rid))
    t.ok(rep is not None and kv(rep).get("from") == "Alice" and text(rep) == "您好,包裹明天送到。",
         "on their return they get * CASEREPLY with the agent's display name and text", rep)
    t.ok(v3.no_event("CASEREPLY", 0.3), "and only that one")
    final, rows = a.cmd("CASE " + case1)
    kinds = [kv(r).get("kind") for r in rows[1:]]
    reply = [r for r in rows if kv(r).get("kind") == "reply"]
    t.ok(kinds == ["created", "assign", "state", "note", "assign", "reply"] or
         kinds == ["created", "state", "assign", "note", "assign", "reply"],
         "CASE history: created, state, assign, note, assign, reply", kinds)
    t.ok(reply and kv(reply[0]).get("delivered") == "1", "the reply is now marked delivered", reply)
    t.ok(not any("客户要求" in r for r in v3.events), "the visitor never sees the note", v3.events)
    v3.close()
    v4 = srv.client()
    v4.hello("token=%s" % tok)
    t.ok(v4.no_event("CASEREPLY", 0.5), "a second return does not deliver it again")

    # -- reply while the visitor is here: at once
    final, _ = a.cmd("CASEREPLY %s :还有问题吗?" % case1)
    t.eq(kv(final).get("delivered"), "1", "CASEREPLY while the visitor is connected: delivered=1")
    rep = v4.expect_event("CASEREPLY " + case1)
    t.ok(rep is not None and text(rep) == "还有问题吗?", "the connected visitor gets it at once", rep)

    # -- close; replies refused until reopened
    final, _ = a.cmd("CASESET %s state=closed" % case1)
    t.eq(final, "OK state=closed assignee=none", "CASESET state=closed")
    final, _ = a.cmd("CASEREPLY %s :one more" % case1)
    t.ok(err(final, "STATE"), "CASEREPLY to a closed case: ERR STATE", final)
    final, rows = a.cmd("CASES")
    t.ok(case1 not in [r.split()[0] for r in rows], "CASES (active) leaves closed cases out", rows)
    final, rows = a.cmd("CASES closed")
    t.eq([r.split()[0] for r in rows], [case1], "CASES closed lists it")
    final, _ = a.cmd("CASESET %s state=open" % case1)
    t.eq(final, "OK state=open assignee=none", "a closed case can be reopened")

    # -- LEAVEMSG while an agent has the chat: ERR STATE
    a.ok("STATUS online")
    v5 = srv.client()
    h5 = v5.hello("name=Li group=tech :need help")
    a.ok("ACCEPT " + h5["chat"])
    final, _ = v5.cmd("LEAVEMSG name=Li phone=12345678 :x")
    t.ok(err(final, "STATE"), "LEAVEMSG while an agent has the chat: ERR STATE", final)

    # -- CASEFROM: a chat becomes a follow-up case
    final, _ = a.cmd("CASEFROM %s :明天回访" % h5["chat"])
    t.ok(final.startswith("OK case="), "CASEFROM <chat> :note: OK case=N", final)
    case3 = kv(final)["case"]
    ev = d.expect_event("CASENEW " + case3)
    t.ok(ev is not None and kv(ev).get("assignee") == "alice" and kv(ev).get("chat") == h5["chat"],
         "tech's agents get * CASENEW with the chat and its assignee", ev)
    final, rows = a.cmd("CASE " + case3)
    f = kv(rows[0]) if rows else {}
    t.ok(f.get("source") == "chat" and f.get("state") == "open" and f.get("assignee") == "alice" and
         f.get("name") == "Li" and text(rows[0]) == "明天回访",
         "the case: source=chat, open, assigned to the agent, the visitor's name, the note", rows)
    final, _ = a.cmd("CASEFROM " + h5["chat"])
    t.ok(err(final, "EXISTS"), "CASEFROM the same chat again: ERR EXISTS", final)
    final, _ = a.cmd("CASEFROM 99999")
    t.ok(err(final, "NOTFOUND"), "CASEFROM an unknown chat: ERR NOTFOUND", final)
    final, _ = d.cmd("CASEFROM " + chat1)
    t.ok(err(final, "DENIED"), "dave: CASEFROM a sales chat: ERR DENIED", final)

    # -- at most 5 open cases per visitor
    a.ok("STATUS away")
    v6 = srv.client()
    v6.hello("group=sales :x")
    codes = [v6.cmd("LEAVEMSG email=v6@example.com :msg %d" % i)[0] for i in range(6)]
    t.ok(all(c.startswith("OK case=") for c in codes[:5]) and err(codes[5], "LIMIT"),
         "a visitor's sixth open case: ERR LIMIT", codes)
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
