"""One agent, several connections (issue 9): connections are views of one
account. Every event of the agent goes to each of them, any may act, the
grace timer starts only when the last one goes, agent.max_connections caps
them (the oldest gets * KICKED), WHOAMI and LOGOUT."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server(extra={"routing": {"agent_grace": 1},
                    "agent": {"max_connections": 3},
                    "groups": [{"name": "sales", "mode": "manual"},
                               {"name": "tech", "mode": "manual"}]}).start()
try:
    c1 = srv.client(); c1.login("alice")
    v = srv.client()
    h = v.hello("name=Lin group=tech :my printer")
    chat = h["chat"]
    c1.ok("ACCEPT " + chat)

    c2 = srv.client()
    final, _ = c2.cmd("LOGIN alice :alice123")
    t.ok(final.startswith("OK name=alice"), "a second LOGIN of the same account", final)
    t.ok(c1.no_event("KICKED", 0.5), "does not kick the first connection")
    e = c2.expect_event("ASSIGN " + chat)
    t.ok(e is not None and kv(e).get("by") == "resume", "the new view is told about the chat", e)
    for n, c in (("first", c1), ("second", c2)):
        final, _ = c.cmd("WHOAMI")
        f = kv(final)
        t.ok(f.get("name") == "alice" and f.get("role") == "agent" and f.get("connections") == "2"
             and f.get("chats") == "1" and f.get("status") == "online",
             "WHOAMI on the %s connection: alice, agent, online, 1 chat, 2 connections" % n, final)

    v.ok("SAY :hello?")
    for n, c in (("first", c1), ("second", c2)):
        m = c.expect_event("MSG " + chat)
        t.eq(text(m), "hello?", "the visitor's message reaches the %s connection" % n)
    final, _ = c2.cmd("MSG %s :answer from the second" % chat)
    t.ok(final.startswith("OK seq="), "the second connection may act on the chat", final)
    m = c1.expect_event("MSG " + chat)
    t.eq(text(m), "answer from the second", "the first connection sees what the second wrote")
    t.eq(text(v.expect_event("MSG %s %s" % (chat, kv(final)["seq"]))), "answer from the second",
         "and so does the visitor")

    # the first connection goes: no grace, the chat stays
    c1.close()
    t.ok(c2.no_event("UNASSIGNED", 2.5), "with one connection left, the chat is not taken away after agent_grace")
    final, rows = c2.cmd("CHATS")
    t.ok(any(r.startswith(chat + " ") and "state=active" in r for r in rows), "it is still active", rows)

    # LOGOUT while another connection remains
    c3 = srv.client(); c3.login("alice")
    while c2.expect_event("", 0.2) is not None:
        pass            # what came before the LOGOUT
    final, _ = c2.cmd("LOGOUT")
    t.eq(final, "OK connections=1", "LOGOUT on one of two connections")
    final, _ = c2.cmd("STATUS")
    t.ok(final.startswith("ERR NOAUTH"), "that connection is no longer logged in", final)
    v.ok("SAY :still there?")
    t.eq(text(c3.expect_event("MSG " + chat)), "still there?", "the remaining connection gets the chat's events")
    t.ok(c2.no_event("MSG", 0.3), "the logged-out one does not")
    final, _ = c2.cmd("WHOAMI")
    t.eq(kv(final).get("role"), "none", "WHOAMI after LOGOUT: role=none")

    # the cap: the oldest connection is kicked
    c4 = srv.client(); c4.login("alice")
    c5 = srv.client(); c5.login("alice")
    final, _ = c5.cmd("WHOAMI")
    t.eq(kv(final).get("connections"), "3", "three connections (agent.max_connections: 3)")
    c6 = srv.client()
    final, _ = c6.cmd("LOGIN alice :alice123")
    t.ok(final.startswith("OK"), "a fourth login is accepted", final)
    k = c3.expect_event("KICKED")
    t.ok(k is not None, "the oldest connection gets * KICKED", k)
    t.ok(c3.readline(3) is None, "and is closed")
    t.ok(c4.no_event("KICKED", 0.3) and c5.no_event("KICKED", 0.1), "the others are not")
    final, _ = c6.cmd("WHOAMI")
    t.eq(kv(final).get("connections"), "3", "still three connections")

    # the last one goes: now the grace timer runs and the chat goes back
    for c in (c4, c5):
        c.ok("LOGOUT")
    final, _ = c6.cmd("LOGOUT")
    t.eq(final, "OK connections=0", "LOGOUT of the last connection")
    q = v.expect_event("QUEUED " + chat, 10)
    t.ok(q is not None, "after agent_grace the chat goes back to the queue", q)

    # WHOAMI for a visitor and a fresh connection; USERDEL kicks every connection
    final, _ = v.cmd("WHOAMI")
    t.ok(kv(final).get("role") == "visitor" and kv(final).get("visitor") == h["visitor"],
         "WHOAMI for a visitor", final)
    b1 = srv.client(); b1.login("bob")
    b2 = srv.client(); b2.login("bob")
    adm = srv.client(); adm.login("admin")
    adm.ok("USERDEL bob")
    t.ok(b1.expect_event("KICKED") is not None and b2.expect_event("KICKED") is not None,
         "USERDEL kicks every connection of the account")
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
