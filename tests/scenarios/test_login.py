"""Logging in, as PROTOCOL.md promises it: the same ERR AUTH for a wrong
password and an unknown user, throttling per address after
auth.max_failures, ERR NOAUTH before login (HELP/PING/QUIT excepted),
ERR DENIED for a second LOGIN on one connection (ERR STATE for HELLO with an
open chat), a login elsewhere being a second view of the agent, and PASSWD
on one's own account."""
import os, select, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server(extra={"auth": {"max_failures": 20, "window": 60}}).start()
srv2 = None
try:
    # -- a good login
    a = srv.client()
    final, _ = a.cmd("LOGIN alice :alice123")
    f = kv(final)
    t.ok(final.startswith("OK ") and f.get("name") == "alice" and f.get("role") == "agent"
         and f.get("status") == "online" and f.get("max") == "5" and f.get("display") == "Alice",
         "LOGIN alice: OK name, role, status, max and display", final)
    final, _ = a.cmd("STATUS")
    t.ok(final.startswith("OK status=online"), "a logged-in agent may use STATUS", final)

    # -- wrong password and unknown user look the same
    x = srv.client()
    bad_pw, _ = x.cmd("LOGIN alice :wrong-password")
    no_user, _ = x.cmd("LOGIN nosuchuser :alice123")
    t.ok(bad_pw is not None and bad_pw.startswith("ERR AUTH "), "wrong password: ERR AUTH", bad_pw)
    t.ok(no_user is not None and no_user.startswith("ERR AUTH "), "unknown user: ERR AUTH", no_user)
    t.eq(no_user, bad_pw, "unknown user and wrong password get the very same reply")
    # a success from the address does not need the failures forgotten
    final, _ = x.cmd("LOGIN bob :bob123")
    t.ok(final.startswith("OK "), "a good login after two failures still works", final)
    x.close()

    # -- before login: NOAUTH, except HELP/PING/QUIT
    y = srv.client()
    final, _ = y.cmd("PING hello")
    t.eq(final, "OK PONG hello", "PING works before login")
    final, rows = y.cmd("HELP")
    t.ok(final.startswith("OK ") and int(final.split()[1]) == len(rows) and
         sorted(r.split()[0] for r in rows) == ["BROWSE", "HELLO", "HELP", "LOGIN", "PING", "QUIT", "WHOAMI"],
         "HELP works before login and lists what a fresh TCP connection may use (no GATEWAY or TICKET)", rows)
    for verb in ("STATUS", "QUEUE", "CHATS", "AGENTS", "SAY :hi", "MSG 1 :hi",
                 "USERADD x agent :secret99", "MONITOR 1", "AUDIT"):
        final, _ = y.cmd(verb)
        t.ok(final is not None and final.startswith("ERR NOAUTH"),
             "%s before login: ERR NOAUTH" % verb.split()[0], final)
    final, _ = y.cmd("QUIT")
    t.eq(final, "OK bye", "QUIT works before login")
    t.ok(y.readline(2) is None, "the server closes the connection after QUIT")

    # -- a second LOGIN or HELLO on a connection that has a role
    # (PROTOCOL.md, Roles: they belong to the fresh connection only)
    final, _ = a.cmd("LOGIN alice :alice123")
    t.ok(final is not None and final.startswith("ERR DENIED"),
         "second LOGIN on a logged-in connection: ERR DENIED", final)
    final, _ = a.cmd("HELLO name=x :hi")
    t.ok(final is not None and final.startswith("ERR DENIED"),
         "HELLO on a logged-in connection: ERR DENIED", final)
    final, _ = a.cmd("GATEWAY :x")
    t.ok(final is not None and final.startswith("ERR DENIED"),
         "GATEWAY on a logged-in connection: ERR DENIED", final)
    v = srv.client()
    vh = v.hello("name=Visitor group=tech :question")
    final, _ = v.cmd("LOGIN alice :alice123")
    t.ok(final is not None and final.startswith("ERR DENIED"),
         "LOGIN on a visitor connection: ERR DENIED", final)
    final, _ = v.cmd("HELLO name=again :x")
    t.ok(final is not None and final.startswith("ERR STATE"),
         "second HELLO on a visitor connection while the chat is open: ERR STATE", final)

    # -- a second login is a second view of the same agent (test_connections.py)
    final, _ = a.cmd("ACCEPT " + vh["chat"])
    t.ok(final.startswith("OK chat=" + vh["chat"]), "alice accepts the visitor's chat", final)
    a2 = srv.client()
    final, _ = a2.cmd("LOGIN alice :alice123")
    t.ok(final.startswith("OK name=alice"), "alice logs in on a second connection", final)
    t.ok(a.no_event("KICKED", 0.5), "the first connection is not kicked")
    res = a2.expect_event("ASSIGN " + vh["chat"], 30)
    t.ok(res is not None and kv(res).get("by") == "resume",
         "the new connection is told about the chat (ASSIGN by=resume)", res)
    final, rows = a2.cmd("CHATS")
    t.ok(final == "OK 1" and rows[0].startswith(vh["chat"] + " ") and "state=active" in rows[0],
         "CHATS on the new connection lists the chat as active", rows)
    final, _ = a2.cmd("MSG %s :still here" % vh["chat"])
    t.ok(final.startswith("OK seq="), "the agent talks from the new connection", final)
    m = v.expect_event("MSG " + vh["chat"])
    t.eq(text(m), "still here", "the visitor receives it")
    a.close()

    # -- PASSWD: own password yes, someone else's no
    final, _ = a2.cmd("PASSWD bob :hijacked1")
    t.ok(final.startswith("ERR DENIED"), "an agent may not change another user's password", final)
    final, _ = a2.cmd("PASSWD alice :short")
    t.ok(final.startswith("ERR ARGS"), "a too-short new password is refused", final)
    final, _ = a2.cmd("PASSWD alice :new-secret-9")
    t.ok(final.startswith("ERR ARGS"), "her own password needs the old one (old=)", final)
    final, _ = a2.cmd("PASSWD alice old=alice123 :new-secret-9")
    t.eq(final, "OK", "alice changes her own password")
    n = srv.client(unix=True)   # another address: keep the TCP failure count clean
    final, _ = n.cmd("LOGIN alice :alice123")
    t.ok(final.startswith("ERR AUTH"), "the old password no longer works", final)
    n.close()
    n = srv.client(unix=True)
    final, _ = n.cmd("LOGIN alice :new-secret-9")
    t.ok(final.startswith("OK name=alice"), "the new password works", final)
    n.close()

    # -- password checks do not stall the server; pipelined lines keep order
    storm = [srv.client() for _ in range(12)]
    for c in storm:
        c.send("@L LOGIN admin :admin123")
    p = srv.client()
    final, _ = p.cmd("PING storm", 30)
    # checked on the loop, the 12 hashes would all be answered before the
    # PING that came after them: some must still be running when it is
    answered = select.select([c.s for c in storm], [], [], 0)[0]
    t.ok(final == "OK PONG storm" and len(answered) < len(storm),
         "PING answered while password checks still run (%d of 12 logins answered)"
         % len(answered), final)
    done = [c.readline(30) for c in storm]
    t.ok(all(l is not None and (l.startswith("@L OK name=admin") or l.startswith("* KICKED")) for l in done),
         "the 12 logins are all answered (over agent.max_connections the oldest is kicked)", done[:3])
    for c in storm:
        c.close()
    d = srv.client()
    d.send_raw("@l1 LOGIN bob :bob123\n@l2 STATUS\n@l3 PING x\n")
    got = [d.readline(5) for _ in range(3)]
    t.ok(got[0] is not None and got[0].startswith("@l1 OK name=bob") and
         got[1] is not None and got[1].startswith("@l2 OK status=") and got[2] == "@l3 OK PONG x",
         "lines sent right behind LOGIN are answered after it, in order", got)

    # -- throttle: 3 failures from one address, then THROTTLE even for the right password
    srv2 = Server(extra={"auth": {"max_failures": 3, "window": 60}}).start()
    # -- a desk behind one NAT address: more logins at once than
    # auth.max_failures all get in (the ones past the limit wait their turn)
    pw = {"alice": "alice123", "bob": "bob123", "carol": "carol123", "admin": "admin123"}
    crowd = [(srv2.client(), n) for n in ("alice", "bob", "carol", "admin") * 2]
    for c, n in crowd:
        c.send("LOGIN %s :%s" % (n, pw[n]))
    got = [c.readline(60) for c, _ in crowd]
    t.ok(all(l is not None and l.startswith("OK name=%s " % n) for l, (_, n) in zip(got, crowd)),
         "8 right passwords at once from one address with max_failures 3: all 8 log in", got)
    # and the waiting ones are still counted: 8 wrong ones at once
    wrong = [srv2.client() for _ in range(8)]
    for i, c in enumerate(wrong):
        c.send("LOGIN bob :nope-%d" % i)
    got = [c.readline(60) for c in wrong]
    t.ok(sum(1 for l in got if l and l.startswith("ERR AUTH")) == 3 and
         sum(1 for l in got if l and l.startswith("ERR THROTTLE")) == 5,
         "8 wrong passwords at once: 3 checked (ERR AUTH), 5 ERR THROTTLE", got)
    for c, _ in crowd:
        c.close()
    for c in wrong:
        c.close()
    srv2.stop()
    srv2.cleanup()
    srv2 = Server(extra={"auth": {"max_failures": 3, "window": 60}}).start()
    z = srv2.client()
    codes = [z.cmd("LOGIN carol :nope%d" % i)[0] for i in range(3)]
    t.ok(all(c and c.startswith("ERR AUTH") for c in codes), "three wrong passwords: ERR AUTH each", codes)
    final, _ = z.cmd("LOGIN carol :carol123")
    t.ok(final is not None and final.startswith("ERR THROTTLE"),
         "after auth.max_failures the right password gets ERR THROTTLE", final)
    z2 = srv2.client()
    final, _ = z2.cmd("LOGIN carol :carol123")
    t.ok(final is not None and final.startswith("ERR THROTTLE"),
         "a new connection from the same address is throttled too", final)
    u = srv2.client(unix=True)
    final, _ = u.cmd("LOGIN carol :carol123")
    t.ok(final is not None and final.startswith("OK name=carol"),
         "another address (the unix socket) is not throttled", final)
    final, _ = z2.cmd("PING")
    t.eq(final, "OK PONG", "a throttled connection is still served")
    t.ok(srv.alive() and srv2.alive(), "kefud is still running")
finally:
    srv.cleanup()
    if srv2:
        srv2.cleanup()
t.done()
