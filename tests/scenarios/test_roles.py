"""Who may do what: a visitor cannot use agent commands, an agent cannot use
supervisor or admin commands, a supervisor can monitor/whisper/take over,
an admin's account/group/reply/key/announce commands work and are written
to the audit trail, and GATEWAY is refused over TCP."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE "
       "alice@laptop")

t = Tap()
srv = Server().start()
try:
    a = srv.client(); a.login("alice")
    sup = srv.client(); sup.login("carol")
    adm = srv.client(); adm.login("admin")
    v = srv.client()
    h = v.hello("name=Vis group=tech :need help")
    chat = h["chat"]

    # -- visitor: no agent commands
    for cmd in ("STATUS", "QUEUE", "ACCEPT " + chat, "CHATS", "MSG %s :x" % chat,
                "TRANSCRIPT " + chat, "AGENTS", "MONITOR " + chat, "USERDEL bob", "AUDIT",
                "CASES", "CASE 1", "CASESET 1 state=closed", "CASENOTE 1 :x",
                "CASEREPLY 1 :x", "CASEFROM " + chat, "BAN visitor 1 :x", "UNBAN 1", "BANS",
                "REPLIES", "REPLYADD t mine=1 :x", "REPLYSET 1 title=x", "REPLYDEL 1",
                "REPORT from=2026-01-01 to=2026-01-31", "VISITORS", "ENGAGE 1 :hi",
                "INVITATION accept", "BROWSE page=/x",
                "CUSTOMER 1", "CUSTOMERS", "CUSTSET 1 name=x", "TAG 1 vip", "UNTAG 1 vip",
                "CUSTMERGE 1 2", "IMSG all :x", "IMSGS all", "IREAD all", "IUNREAD", "WATCHERS " + chat, "CHATS all", "BOARD on", "STATS",
                "GROUPSET tech mode=auto", "GROUPDEL tech", "USERSET bob disabled=1", "LOGOUT bob",

                "KB", "KBSEARCH :x", "KBADD q :a", "KBSET 1 enabled=0", "KBDEL 1",
                "FIND :help", "FIND group=tech"):
        final, _ = v.cmd(cmd)
        t.ok(final is not None and final.startswith("ERR DENIED"),
             "visitor: %s -> ERR DENIED" % cmd.split()[0], final)

    # -- agent: no visitor, supervisor or admin commands
    for cmd in ("SAY :hello", "RATE 5", "MONITOR " + chat, "WHISPER %s :psst" % chat,
                "TAKEOVER " + chat, "UNMONITOR " + chat, "USERADD eve agent :secret99",
                "USERDEL bob", "USERSET bob max=2", "GROUPADD x", "REPLYADD t :x",
                "REPLYSET 1 title=x", "REPLYDEL 1",
                "KEYADD alice :" + KEY, "KEYS alice", "KEYDEL alice 1",
                "ANNOUNCE :hi", "AUDIT", "AUTHPASS bob :bob123", "MKTICKET bob",
                "LEAVEMSG phone=12345678 :call me", "MAINT", "MAINT on :x",
                "INVITATION accept", "INVITATION decline", "BROWSE page=/x",
                "REPORT from=2026-01-01 to=2026-01-31", "CHATS all", "BOARD on",
                "GROUPSET tech mode=auto", "GROUPDEL tech", "USERSET bob disabled=1", "LOGOUT bob", "HUMAN",
                "KBADD q :a", "KBSET 1 enabled=0", "KBDEL 1", "CUSTMERGE 1 2"):
        final, _ = a.cmd(cmd)
        t.ok(final is not None and final.startswith("ERR DENIED"),
             "agent: %s -> ERR DENIED" % cmd.split()[0], final)

    # -- supervisor: monitor, whisper, takeover (but no admin commands)
    final, _ = a.cmd("ACCEPT " + chat)
    t.ok(final.startswith("OK chat="), "alice accepts the chat", final)
    final, _ = sup.cmd("MONITOR " + chat)
    t.eq(final, "OK", "supervisor may MONITOR")
    a.ok("MSG %s :hello visitor" % chat)
    t.ok(sup.expect_event("MSG " + chat) is not None, "the monitoring supervisor sees the agent's message")
    final, _ = sup.cmd("WHISPER %s :offer a coupon" % chat)
    t.ok(final.startswith("OK seq="), "supervisor may WHISPER", final)
    w = a.expect_event("MSG %s %s whisper" % (chat, final.split("=")[1]))
    t.ok(w is not None and w.split()[3] == "whisper" and text(w) == "offer a coupon",
         "the agent gets the whisper", w)
    t.ok(v.expect_event("MSG %s" % chat, 30) is not None and v.no_event("MSG", 0.3),
         "the visitor got the agent message and not the whisper")
    final, _ = sup.cmd("TAKEOVER " + chat)
    t.eq(final, "OK", "supervisor may TAKEOVER")
    un = a.expect_event("UNASSIGNED " + chat)
    t.ok(un is not None and "reason=takeover" in un, "the agent gets UNASSIGNED reason=takeover", un)
    final, rows = sup.cmd("REPORT from=2026-01-01 to=2026-01-31")
    t.ok(final == "OK 1" and rows[0].startswith("total offered="), "supervisor may REPORT", final)
    final, rows = adm.cmd("REPORT from=2026-01-01 to=2026-01-31 by=agent")
    t.ok(final is not None and final.startswith("OK "), "admin may REPORT", final)
    for who, name in ((sup, "supervisor"), (adm, "admin")):
        final, _ = who.cmd("CHATS all")
        t.ok(final is not None and final.startswith("OK"), "%s may use CHATS all" % name, final)
        final, _ = who.cmd("BOARD on")
        t.eq(final, "OK board=on", "%s may use BOARD" % name)
    final, _ = sup.cmd("USERDEL bob")
    t.ok(final.startswith("ERR DENIED"), "supervisor: USERDEL -> ERR DENIED", final)
    final, _ = sup.cmd("AUDIT")
    t.ok(final.startswith("ERR DENIED"), "supervisor: AUDIT -> ERR DENIED", final)
    for cmd in ("GROUPSET tech mode=auto", "GROUPDEL tech", "USERSET bob disabled=1",
                "LOGOUT bob", "PASSWD bob :new-secret-1"):
        final, _ = sup.cmd(cmd)
        t.ok(final.startswith("ERR DENIED"), "supervisor: %s -> ERR DENIED" % cmd.split()[0], final)
    for cmd in ("REPLYADD t :x", "REPLYSET 1 title=x", "REPLYDEL 1"):
        final, _ = sup.cmd(cmd)
        t.ok(final.startswith("ERR DENIED"), "supervisor: shared %s -> ERR DENIED" % cmd.split()[0], final)
    for cmd in ("KBADD q :a", "KBSET 1 enabled=0", "KBDEL 1"):
        final, _ = sup.cmd(cmd)
        t.ok(final.startswith("ERR DENIED"), "supervisor: %s -> ERR DENIED" % cmd.split()[0], final)
    for who, c in (("agent", a), ("supervisor", sup)):
        final, _ = c.cmd("KB")
        t.eq(final, "OK 0", "%s may list the knowledge base (KB)" % who)
        final, _ = c.cmd("KBSEARCH :how do I pay")
        t.eq(final, "OK 0", "%s may search it (KBSEARCH)" % who)

    # -- admin: accounts
    final, _ = adm.cmd("USERADD eve agent max=2 groups=tech display=Eve\\sE :evesecret1")
    t.eq(final, "OK", "admin USERADD eve")
    final, _ = adm.cmd("USERADD eve agent :evesecret1")
    t.ok(final.startswith("ERR EXISTS"), "USERADD of an existing name: ERR EXISTS", final)
    e = srv.client()
    final, _ = e.cmd("LOGIN eve :evesecret1")
    f = kv(final)
    t.ok(f.get("role") == "agent" and f.get("max") == "2" and f.get("display") == "Eve E",
         "eve can log in with the given role, max and display", final)
    final, _ = adm.cmd("USERSET eve role=supervisor max=4")
    t.eq(final, "OK", "admin USERSET eve role=supervisor max=4")
    final, rows = adm.cmd("AGENTS")
    erow = [r for r in rows if r.startswith("eve ")]
    t.ok(erow and "role=supervisor" in erow[0] and "max=4" in erow[0],
         "AGENTS shows eve's new role and limit", erow)
    final, _ = e.cmd("MONITOR " + chat)
    t.eq(final, "OK", "eve's open connection got the supervisor role at once")
    final, _ = adm.cmd("USERDEL eve")
    t.eq(final, "OK", "admin USERDEL eve")
    t.ok(e.expect_event("KICKED", 30) is not None, "eve's connection is kicked")
    e2 = srv.client()
    final, _ = e2.cmd("LOGIN eve :evesecret1")
    t.ok(final.startswith("ERR AUTH"), "a deleted user cannot log in", final)
    final, _ = adm.cmd("USERDEL nobody")
    t.ok(final.startswith("ERR NOTFOUND"), "USERDEL of an unknown user: ERR NOTFOUND", final)

    # -- admin: disable, force logout, group edit and delete (more in
    # test_admin_users.py and test_admin_groups.py)
    final, _ = adm.cmd("USERSET bob disabled=1")
    t.eq(final, "OK", "admin USERSET bob disabled=1")
    final, _ = adm.cmd("USERSET bob disabled=0")
    t.eq(final, "OK", "admin USERSET bob disabled=0")
    final, _ = adm.cmd("LOGOUT bob")
    t.eq(final, "OK connections=0", "admin LOGOUT bob (not logged in)")
    final, _ = adm.cmd("GROUPSET tech :Technical support")
    t.eq(final, "OK", "admin GROUPSET tech")

    # -- admin: groups, replies, keys
    final, _ = adm.cmd("GROUPADD billing mode=auto :Invoices and refunds")
    t.eq(final, "OK", "admin GROUPADD billing")
    final, rows = adm.cmd("GROUPS")
    t.ok(any(r.startswith("billing ") and "mode=auto" in r for r in rows), "GROUPS lists billing as auto", rows)
    final, _ = adm.cmd("GROUPADD scratch")
    final, _ = adm.cmd("GROUPDEL scratch")
    t.eq(final, "OK replies=0", "admin GROUPDEL of an empty group")
    final, _ = adm.cmd("REPLYADD refund group=billing :Your refund is on its way.")
    t.ok(final.startswith("OK id="), "admin REPLYADD", final)
    final, rows = a.cmd("REPLIES :refund")
    t.ok(len(rows) == 1 and "title=refund" in rows[0], "the new quick reply is found by agents", rows)
    rid = rows[0].split()[0]
    final, _ = adm.cmd("REPLYSET %s cat=money code=rf :Refunds take 3 days." % rid)
    t.eq(final, "OK", "admin REPLYSET")
    final, rows = a.cmd("REPLIES :/rf")
    t.ok(len(rows) == 1 and "cat=money" in rows[0], "agents see the change", rows)
    final, _ = adm.cmd("REPLYDEL " + rid)
    t.eq(final, "OK", "admin REPLYDEL")
    final, _ = adm.cmd("KBADD 怎么开发票 group=billing keys=发票|invoice :在订单页点“申请发票”。")
    t.ok(final.startswith("OK id="), "admin KBADD", final)
    kbid = kv(final).get("id")
    final, rows = a.cmd("KBSEARCH :我想开发票")
    t.ok(final == "OK 1" and rows[0].startswith(kbid + " "), "agents find the new entry (KBSEARCH)", rows)
    final, _ = adm.cmd("KBSET %s enabled=0" % kbid)
    t.eq(final, "OK", "admin KBSET")
    final, _ = adm.cmd("KBDEL " + kbid)
    t.eq(final, "OK", "admin KBDEL")
    final, rows = adm.cmd("AUDIT 3")
    t.eq([kv(r).get("action") for r in rows], ["kbdel", "kbset", "kbadd"],
         "KBADD, KBSET and KBDEL are in the audit trail")
    final, _ = adm.cmd("KEYADD alice :" + KEY)
    t.ok(final.startswith("OK id="), "admin KEYADD", final)
    kid = kv(final).get("id")
    final, rows = adm.cmd("KEYS alice")
    t.ok(final == "OK 1" and rows[0].startswith(kid + " ") and "type=ssh-ed25519" in rows[0]
         and text(rows[0]) == "alice@laptop", "KEYS lists the key with type and comment", rows)
    final, _ = adm.cmd("KEYADD alice :not a key")
    t.ok(final.startswith("ERR ARGS"), "KEYADD of garbage: ERR ARGS", final)
    final, _ = adm.cmd("KEYDEL alice " + kid)
    t.eq(final, "OK", "admin KEYDEL")
    final, rows = adm.cmd("KEYS alice")
    t.eq(final, "OK 0", "the key is gone")

    # -- announce
    a.events.clear(); sup.events.clear()
    final, _ = adm.cmd("ANNOUNCE :系统将于今晚维护")
    t.eq(final, "OK", "admin ANNOUNCE")
    an = a.expect_event("ANNOUNCE")
    t.ok(an is not None and text(an) == "系统将于今晚维护", "agents get * ANNOUNCE", an)
    t.ok(sup.expect_event("ANNOUNCE") is not None, "supervisors get it too")
    t.ok(v.no_event("ANNOUNCE", 0.3), "visitors do not")

    # -- audit trail
    final, rows = adm.cmd("AUDIT 100")
    seen = {(kv(r).get("actor"), kv(r).get("action")) for r in rows}
    for action in ("useradd", "userset", "userdel", "groupadd", "groupset", "groupdel", "replyadd",
                   "keyadd", "keydel", "announce"):
        t.ok(("admin", action) in seen, "AUDIT has admin's %s" % action)
    t.ok(("carol", "takeover") in seen, "AUDIT has carol's takeover")
    t.ok(not any("evesecret1" in r for r in rows), "no password appears in the audit trail")
    ids = [int(r.split()[0]) for r in rows]
    t.eq(ids, sorted(ids, reverse=True), "AUDIT is newest first")
    final, rows = adm.cmd("AUDIT 2")
    t.eq(len(rows), 2, "AUDIT n limits the rows")

    # -- the case commands: staff only, and LEAVEMSG needs a HELLO first
    anon = srv.client()
    for cmd in ("LEAVEMSG phone=12345678 :hi", "CASES", "CASE 1", "CUSTOMER 1",
                "CUSTOMERS", "CUSTSET 1 name=x", "TAG 1 vip", "UNTAG 1 vip", "CUSTMERGE 1 2",
                "IMSG all :x", "IMSGS all", "IREAD all", "IUNREAD", "WATCHERS 1"):
        final, _ = anon.cmd(cmd)
        t.ok(final is not None and final.startswith("ERR NOAUTH"),
             "before HELLO/LOGIN: %s -> ERR NOAUTH" % cmd.split()[0], final)
    for who in (a, sup, adm):
        final, _ = who.cmd("CASES all")
        t.ok(final is not None and final.startswith("OK"), "staff may use CASES", final)

    # -- customer cards: every staff role (agent, supervisor, admin)
    for who in (a, sup, adm):
        final, _ = who.cmd("TAG visitor=%s seen-by-%s" % (h["visitor"], who is a and "a" or who is sup and "s" or "ad"))
        t.ok(final is not None and final.startswith("OK customer="), "staff may TAG", final)
        cid = kv(final).get("customer")
        for cmd in ("CUSTOMER " + cid, "CUSTOMERS", "CUSTSET %s company=X" % cid,
                    "UNTAG %s nothing" % cid):
            final, _ = who.cmd(cmd)
            t.ok(final is not None and final.startswith("OK"), "staff may use %s" % cmd.split()[0], final)
    for who, name in ((sup, "supervisor"), (adm, "admin")):   # past the role check
        final, _ = who.cmd("CUSTMERGE 99998 99999")
        t.ok(final is not None and final.startswith("ERR NOTFOUND"),
             "%s may use CUSTMERGE (no such card: ERR NOTFOUND)" % name, final)

    # -- internal conversation and WATCHERS: every staff role
    for who in (a, sup, adm):
        for cmd in ("IMSG all :hello from a role test", "IMSGS all", "IREAD all", "IUNREAD",
                    "IMSG agent:%s :psst" % ("bob"), "WATCHERS " + chat):
            final, _ = who.cmd(cmd)
            t.ok(final is not None and final.startswith("OK"), "staff may use %s" % cmd.split()[0], final)

    # -- GATEWAY is for the unix socket only
    g = srv.client()
    final, _ = g.cmd("GATEWAY :guessed-secret")
    t.ok(final is not None and final.startswith("ERR DENIED"), "GATEWAY over TCP: ERR DENIED", final)
    final, _ = g.cmd("AUTHPASS alice :alice123")
    t.ok(final is not None and final.startswith("ERR NOAUTH"),
         "gateway commands stay out of reach after the refusal", final)
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
