"""The routing rules of PROTOCOL.md, one by one: * CLOSED when nobody is on
duty, least-loaded assignment with ties to the longest idle, never to away,
busy, offline or full agents, ERR LIMIT over the limit, manual groups wait
for ACCEPT, queue positions and their updates, the answer timeout, the
agent grace period, and at the end: no chat stuck anywhere."""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server(extra={"routing": {"answer_timeout": 5, "agent_grace": 5}}).start()
DISPLAY = {"Alice": "alice", "小王": "bob"}
visitors = {}      # chat id -> visitor client
ended = set()


def visit(group, name, question="hello"):
    v = srv.client()
    h = v.hello("name=%s group=%s :%s" % (name, group, question))
    visitors[h["chat"]] = v
    return h["chat"], v


def assigned_to(v, chat, timeout=30):
    """Which agent the visitor was told about (None: not assigned)."""
    e = v.expect_event("ASSIGNED " + chat, timeout)
    return DISPLAY.get(kv(e).get("agent")) if e else None


def answer(agent, chat):
    agent.ok("MSG %s :您好" % chat)


try:
    # -- nobody on duty: CLOSED at once, the chat stays queued
    for group in ("sales", "tech"):
        c0, v0 = visit(group, "Early")
        q = v0.expect_event("QUEUED " + c0, 30)
        cl = v0.expect_event("CLOSED " + c0, 30)
        t.ok(q is not None and cl is not None and kv(cl).get("group") == group,
             "%s, nobody on duty: QUEUED then CLOSED at once" % group, (q, cl))
        final, _ = v0.cmd("SAY :please call me back")
        t.ok(final.startswith("OK seq="), "the visitor may still leave a message", final)
        v0.ok("END")
        ended.add(c0)

    a = srv.client(); a.login("alice")
    b = srv.client(); b.login("bob")
    ag = {"alice": a, "bob": b}

    # -- auto: least loaded, ties to the longest idle (not to list order:
    # bob comes after alice in the account list, so he must win a tie by idling)
    a.ok("STATUS away")
    c1, v1 = visit("sales", "V1")
    t.eq(assigned_to(v1, c1), "bob", "sales is auto: V1 assigned at once, to bob (alice is away)")
    e = b.expect_event("ASSIGN " + c1)
    t.ok(e is not None and kv(e).get("by") == "auto", "bob gets ASSIGN by=auto", e)
    answer(b, c1)
    a.ok("STATUS online")
    time.sleep(0.05)    # distinct millisecond timestamps for the two assignments
    c2, v2 = visit("sales", "V2")
    t.eq(assigned_to(v2, c2), "alice", "V2 goes to the less loaded agent (alice 0, bob 1)")
    answer(a, c2)
    c3, v3 = visit("sales", "V3")
    t.eq(assigned_to(v3, c3), "bob", "1-1 tie: V3 goes to bob, idle since before alice's last chat")
    answer(b, c3)
    c4, v4 = visit("sales", "V4")
    t.eq(assigned_to(v4, c4), "alice", "V4 goes to the less loaded agent (alice 1, bob 2)")
    answer(a, c4)

    # -- away/busy/offline agents get nothing; nobody above max
    final, _ = a.cmd("STATUS away")
    t.ok(final.startswith("OK status=away chats=2"), "alice goes away with 2 chats", final)
    c5, v5 = visit("sales", "V5")
    t.eq(assigned_to(v5, c5), "bob", "alice is away: V5 goes to bob")
    answer(b, c5)
    c6, v6 = visit("sales", "V6")
    t.eq(assigned_to(v6, c6, 1.2), None, "bob is full (3 of max 3), alice away: V6 waits")
    q = v6.expect_event("QUEUED " + c6, 30)
    t.ok(q is not None and kv(q).get("pos") == "1", "V6 is told it is first in the queue", q)
    final, rows = a.cmd("AGENTS")
    brow = [r for r in rows if r.startswith("bob ")]
    t.ok(brow and "chats=3" in brow[0] and "max=3" in brow[0], "AGENTS: bob has 3 of 3", brow)
    final, _ = b.cmd("ACCEPT " + c6)
    t.ok(final.startswith("ERR LIMIT"), "bob ACCEPT over his limit: ERR LIMIT", final)
    for st in ("busy", "offline"):
        a.ok("STATUS " + st)
        t.eq(assigned_to(v6, c6, 1.2), None, "alice %s: V6 still waits" % st)
    a.ok("STATUS online")
    t.eq(assigned_to(v6, c6), "alice", "alice back online: V6 goes to her")
    answer(a, c6)

    # -- answer timeout: re-routed to another agent
    b.ok("END " + c5)
    ended.add(c5)
    c7, v7 = visit("sales", "V7")
    t.eq(assigned_to(v7, c7), "bob", "V7 goes to bob (2 chats) rather than alice (3)")
    un = b.expect_event("UNASSIGNED " + c7, 30)
    t.ok(un is not None and kv(un).get("reason") == "timeout",
         "bob leaves V7 unanswered: UNASSIGNED reason=timeout", un)
    t.eq(assigned_to(v7, c7), "alice", "V7 is offered to alice instead")
    e = a.expect_event("ASSIGN " + c7, 30)
    t.ok(e is not None and kv(e).get("by") == "auto", "alice gets ASSIGN by=auto", e)
    answer(a, c7)
    final, rows = b.cmd("CHATS")
    t.ok(not any(r.startswith(c7 + " ") for r in rows), "V7 is no longer among bob's chats", rows)

    # -- manual group: waits for ACCEPT; queue positions
    tech = []
    for i in range(3):
        c, v = visit("tech", "T%d" % (i + 1), "printer %d" % i)
        tech.append((c, v))
        q = v.expect_event("QUEUED " + c, 30)
        t.eq(kv(q).get("pos"), str(i + 1), "tech visitor %d is told pos=%d" % (i + 1, i + 1))
        qa = a.expect_event("QADD " + c, 30)
        t.ok(qa is not None and text(qa) == "printer %d" % i, "alice sees QADD with the question", qa)
    t.eq(assigned_to(tech[0][1], tech[0][0], 1.2), None, "tech is manual: nobody is assigned by the server")
    final, rows = a.cmd("QUEUE tech")
    t.eq([(r.split()[0], kv(r).get("pos")) for r in rows],
         [(c, str(i + 1)) for i, (c, _) in enumerate(tech)], "QUEUE tech: three chats, pos 1-2-3 in order")
    final, _ = a.cmd("ACCEPT " + tech[0][0])
    t.ok(final.startswith("OK chat=" + tech[0][0]), "alice accepts the head (her 5th chat)", final)
    t.eq(assigned_to(tech[0][1], tech[0][0]), "alice", "T1 is told alice took it")
    q2 = tech[1][1].expect_event("QUEUED " + tech[1][0], 30)
    q3 = tech[2][1].expect_event("QUEUED " + tech[2][0], 30)
    t.ok(kv(q2).get("pos") == "1" and kv(q3).get("pos") == "2",
         "the others move up: QUEUED pos=1 and pos=2", (q2, q3))
    final, _ = a.cmd("ACCEPT " + tech[1][0])
    t.ok(final.startswith("ERR LIMIT"), "alice at 5 of 5: ACCEPT gets ERR LIMIT", final)
    b.ok("ACCEPT " + tech[1][0])
    b.ok("MSG %s :hi" % tech[1][0])
    q3 = tech[2][1].expect_event("QUEUED " + tech[2][0], 30)
    t.eq(kv(q3).get("pos"), "1", "T3 is now first")

    # -- agent drops: after agent_grace the chats go back to the head
    final, brows = b.cmd("CHATS")
    bob_chats = [r.split()[0] for r in brows if "state=active" in r]
    t.eq(len(bob_chats), 3, "bob has 3 active chats when his connection drops")
    b.close()
    q = tech[1][1].expect_event("QUEUED " + tech[1][0], 30)
    t.ok(q is not None and kv(q).get("pos") == "1",
         "after agent_grace bob's tech chat is back at the head (pos=1)", q)
    q3 = tech[2][1].expect_event("QUEUED " + tech[2][0], 30)
    t.eq(kv(q3).get("pos"), "2", "T3 moves back to pos=2")
    final, rows = a.cmd("QUEUE")
    queued = [r.split()[0] for r in rows]
    t.ok(set(bob_chats) <= set(queued), "all of bob's chats are queued again (alice is full)", (bob_chats, queued))
    sales_q = [r.split()[0] for r in rows if "group=sales" in r]
    t.eq(sorted(sales_q), sorted(c for c in bob_chats if c != tech[1][0]),
         "his sales chats wait: they do not go to a full or offline agent")

    # -- bob comes back: he gets the sales chats again; nothing stuck anywhere
    b = srv.client(); b.login("bob")
    for c in sales_q:
        e = b.expect_event("ASSIGN " + c, 30)
        t.ok(e is not None and kv(e).get("by") == "auto", "bob is auto-assigned %s on return" % c, e)
        answer(b, c)
    final, qrows = a.cmd("QUEUE")
    _, arows = a.cmd("CHATS")
    _, brows = b.cmd("CHATS")
    places = [r.split()[0] for r in qrows]
    places += [r.split()[0] for r in arows + brows if "state=active" in r]
    open_chats = sorted(c for c in visitors if c not in ended)
    t.eq(sorted(places), open_chats, "every open chat is in exactly one queue or with exactly one agent")
    for who, rows in (("alice", arows), ("bob", brows)):
        n = len([r for r in rows if "state=active" in r])
        final, _ = (a if who == "alice" else b).cmd("STATUS")
        st = kv(final)
        t.ok(int(st["chats"]) == n and n <= int(st["max"]),
             "%s: STATUS chats=%s matches CHATS and is within max" % (who, st["chats"]), final)

    # -- bob drops a second time: his grace runs again (the tick acts on
    #    each absence, not just the first one)
    for c in sales_q:       # what the first absence said is not the answer:
        visitors[c].cmd("PING")     # a reply comes after every earlier event
        visitors[c].events.clear()
    b.close()
    for c in sales_q:
        q = visitors[c].expect_event("QUEUED " + c, 30)
        t.ok(q is not None, "second absence: %s is queued again after agent_grace" % c, q)
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
