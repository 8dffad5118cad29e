"""The supervisors' desk board (issue 13): CHATS all lists every chat an
agent has (agent, group, visitor, since, waiting), in pages, to supervisors
and admins only; BOARD on makes a connection receive * BOARD lines when a
chat is assigned, answered, waits, ends, is wrapped up or goes back to a
queue; a supervisor may END any chat (a stuck one)."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv

t = Tap()
srv = Server({"groups": [{"name": "sales", "mode": "manual"},
                         {"name": "tech", "mode": "manual"}]}).start()
try:
    a = srv.client(); a.login("alice")
    b = srv.client(); b.login("bob")
    sup = srv.client(); sup.login("carol")
    adm = srv.client(); adm.login("admin")

    final, _ = a.cmd("CHATS all")
    t.ok(final.startswith("ERR DENIED"), "an agent: CHATS all -> ERR DENIED", final)
    final, _ = a.cmd("BOARD on")
    t.ok(final.startswith("ERR DENIED"), "an agent: BOARD on -> ERR DENIED", final)
    final, _ = sup.cmd("CHATS everything")
    t.ok(final.startswith("ERR ARGS"), "CHATS with another word: ERR ARGS", final)
    final, _ = sup.cmd("BOARD maybe")
    t.ok(final.startswith("ERR ARGS"), "BOARD maybe: ERR ARGS", final)
    final, rows = sup.cmd("CHATS all")
    t.eq((final, rows), ("OK 0", []), "an empty desk: no board rows")

    final, _ = sup.cmd("BOARD on")
    t.eq(final, "OK board=on", "a supervisor turns the board on")
    v1 = srv.client(); c1 = v1.hello("name=张三 group=sales :where is my parcel")["chat"]
    v2 = srv.client(); c2 = v2.hello("name=Bob group=tech :printer")["chat"]
    v3 = srv.client(); c3 = v3.hello("name=Queued group=tech :still waiting")["chat"]
    t.ok(sup.no_event("BOARD", 0.3), "queued chats are not on the board (they are in QUEUE)")
    a.ok("ACCEPT " + c1)
    ev = sup.expect_event("BOARD " + c1)
    f = kv(ev)
    t.ok(ev is not None and f.get("state") == "active" and f.get("agent") == "alice"
         and f.get("group") == "sales" and f.get("name") == "张三" and "since" in f
         and "waiting" in f, "ACCEPT: * BOARD with agent, group, name, since and waiting", ev)
    b.ok("ACCEPT " + c2)
    t.ok(sup.expect_event("BOARD " + c2) is not None, "bob's chat comes too")
    t.ok(adm.no_event("BOARD", 0.3), "an admin without BOARD on gets no * BOARD")

    final, rows = sup.cmd("CHATS all")
    ids = sorted(r.split()[0] for r in rows)
    t.eq((final, ids), ("OK 2", sorted([c1, c2])), "CHATS all: the two assigned chats, not the queued one")
    row = [kv(r) for r in rows if r.startswith(c2 + " ")][0]
    t.ok(row.get("agent") == "bob" and row.get("state") == "active" and row.get("visitor"),
         "a row names the agent, state and visitor", rows)
    final, rows = adm.cmd("CHATS all limit=1")
    t.ok(final == "OK 1 next=1" and len(rows) == 1, "CHATS all is paged (limit=1 -> next=1)", final)
    final, rows2 = adm.cmd("CHATS all from=1 limit=1")
    t.ok(final == "OK 1" and rows2 and rows2[0] != rows[0], "the next page holds the other chat", final)
    final, rows = a.cmd("CHATS")
    t.ok(final == "OK 1" and rows[0].startswith(c1 + " "), "alice's own CHATS is unchanged", rows)

    # the waiting mark: moves on the answer and on the next unanswered visitor message
    a.ok("MSG %s :您好" % c1)
    ev = sup.expect_event("BOARD " + c1)
    t.ok(ev is not None and "waiting=" not in ev, "the answer clears the waiting mark", ev)
    v1.ok("SAY :order 123")
    ev = sup.expect_event("BOARD " + c1)
    t.ok(ev is not None and "waiting=" in ev, "a visitor message sets it again", ev)
    v1.ok("SAY :hello?")
    t.ok(sup.no_event("BOARD", 0.3), "a second unanswered message sends nothing (frugal)")
    a.ok("NOTE %s :checking" % c1)
    t.ok(sup.no_event("BOARD", 0.3), "a note sends nothing")

    # left and back
    tok = None
    v2.close()
    ev = sup.expect_event("BOARD " + c2)
    t.ok(ev is not None and "left=1" in ev, "the visitor leaving: left=1", ev)

    # a supervisor ends a stuck chat
    final, _ = a.cmd("END " + c2)
    t.ok(final.startswith("ERR STATE"), "an agent cannot END another's chat", final)
    final, _ = sup.cmd("END " + c2)
    t.eq(final, "OK", "the supervisor ENDs bob's stuck chat")
    t.ok(b.expect_event("ENDED " + c2) is not None, "bob gets * ENDED")
    ev = sup.expect_event("BOARD " + c2)
    t.ok(ev is not None and "state=ended" in ev, "the board shows it ended (until bob wraps up)", ev)
    b.ok("WRAPUP %s other :stuck" % c2)
    ev = sup.expect_event("BOARD " + c2)
    t.eq(ev, "BOARD %s state=gone" % c2, "wrapped up: the chat leaves the board")

    # takeover moves the chat; a transfer to a group takes it off the board
    sup.ok("TAKEOVER " + c1)
    ev = sup.expect_event("BOARD " + c1)
    t.ok(ev is not None and kv(ev).get("agent") == "carol", "takeover: the board names the new agent", ev)
    sup.ok("TRANSFER %s group tech" % c1)
    ev = sup.expect_event("BOARD " + c1)
    t.eq(ev, "BOARD %s state=gone" % c1, "back in a queue: gone from the board")

    final, _ = sup.cmd("BOARD off")
    t.eq(final, "OK board=off", "BOARD off")
    a.ok("ACCEPT " + c3)
    t.ok(sup.no_event("BOARD", 0.5), "with the board off no * BOARD comes")
    final, rows = sup.cmd("CHATS all")
    t.ok(final == "OK 1" and rows[0].startswith(c3 + " "), "CHATS all still answers", rows)
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
