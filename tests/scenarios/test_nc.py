"""The protocol for people typing into nc (issue 9): HELP lists what the
caller may use now, WHERE, HELLO again after * ENDED, eta only when there is
a basis and the group is open, the reply before the events it caused,
CR-only line endings, and HELLO name=Robert Miller."""
import os, socket, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server().start()


def verbs(client):
    final, rows = client.cmd("HELP")
    return final, set(r.split()[0] for r in rows)


def raw_lines(c, until, timeout=5):
    """Lines from c up to and including the first that starts with until."""
    out = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        l = c.readline(deadline - time.time())
        if l is None:
            break
        out.append(l)
        if l.startswith(until):
            break
    return out


try:
    # -- HELP per role and state
    anon = srv.client()
    final, vs = verbs(anon)
    t.ok(final.startswith("OK") and {"HELP", "LOGIN", "HELLO"} <= vs and not vs & {"SAY", "MSG", "USERADD"},
         "HELP before login lists the login verbs only", sorted(vs))
    final, rows = anon.cmd("HELP USERADD")
    t.ok(final == "OK 1" and rows[0].startswith("USERADD role=admin"),
         "HELP VERB still explains a verb the caller may not use", rows)

    a = srv.client(); a.login("alice")
    final, vs = verbs(a)
    t.ok({"MSG", "ACCEPT", "TRANSCRIPT"} <= vs and not vs & {"USERADD", "WHISPER", "SAY", "LOGIN", "HELLO", "AUTHPASS"},
         "HELP for an agent: agent verbs, no admin/supervisor/visitor/login ones", sorted(vs))
    adm = srv.client(); adm.login("admin")
    adm.ok("STATUS away")
    final, vs = verbs(adm)
    t.ok({"USERADD", "WHISPER", "MSG"} <= vs and "SAY" not in vs, "HELP for an admin includes admin verbs", sorted(vs))

    # -- eta absent while the group is closed and while there is no basis
    v = srv.client()
    h = v.hello("name=Robert Miller group=tech :printer")
    q = v.expect_event("QUEUED " + h["chat"])
    t.ok(q is not None and "eta" not in kv(q), "first QUEUED: no eta (no chat has waited yet)", q)
    qa = a.expect_event("QADD " + h["chat"])
    t.eq(kv(qa).get("name"), "Robert Miller", "HELLO name=Robert Miller: the name keeps its space")
    final, vs = verbs(v)
    t.ok({"SAY", "WHERE", "END", "TYPING"} <= vs and not vs & {"HELLO", "RATE", "MSG", "LOGIN"},
         "HELP for a visitor with an open chat", sorted(vs))
    final, _ = v.cmd("WHERE")
    f = kv(final)
    t.ok(final.startswith("OK") and f.get("chat") == h["chat"] and f.get("state") == "queued"
         and f.get("pos") == "1" and "eta" not in f and f.get("group") == "tech",
         "WHERE while queued: chat, state, pos, no eta yet", final)
    final, _ = v.cmd("HELLO name=Again")
    t.ok(final.startswith("ERR STATE"), "HELLO while the chat is open: ERR STATE", final)

    # -- the reply comes before the events it caused
    a.send("@acc ACCEPT " + h["chat"])
    lines = raw_lines(a, "@acc ")
    t.ok(lines and lines[-1].startswith("@acc OK chat=" + h["chat"]) and
         not any(l.startswith("* QDEL " + h["chat"]) or l.startswith("* ASSIGN " + h["chat"]) for l in lines[:-1]),
         "ACCEPT: OK comes before * QDEL and * ASSIGN", lines)
    t.ok(a.expect_event("QDEL " + h["chat"]) is not None and a.expect_event("ASSIGN " + h["chat"]) is not None,
         "and both events follow it")
    final, _ = v.cmd("WHERE")
    t.ok(kv(final).get("state") == "assigned" and kv(final).get("agent") == "Alice" and "pos" not in kv(final),
         "WHERE while assigned: the agent's display name", final)
    v.send("@say SAY :hello")
    lines = raw_lines(v, "@say ")
    t.ok(lines and lines[-1].startswith("@say OK seq=") and not any(l.startswith("* MSG") for l in lines[:-1]),
         "SAY: OK seq= before the visitor's own * MSG copy", lines)

    # -- a basis for eta exists now (a chat waited); a new visitor gets one
    v2 = srv.client()
    h2 = v2.hello("name=Second group=tech :second")
    q = v2.expect_event("QUEUED " + h2["chat"])
    t.ok(q is not None and "eta" in kv(q), "with a recorded wait and alice online, QUEUED has an eta", q)
    a.ok("STATUS away")
    final, _ = v2.cmd("WHERE")
    t.ok(final.startswith("OK") and "eta" not in kv(final),
         "nobody on duty: WHERE has no eta", final)
    a.ok("STATUS online")

    # -- HELLO again after * ENDED, on the same connection
    a.ok("END " + h["chat"])
    v.expect_event("ENDED " + h["chat"])
    final, vs = verbs(v)
    t.ok({"HELLO", "RATE", "WHERE"} <= vs and not vs & {"SAY", "END", "TYPING"},
         "HELP after * ENDED: HELLO and RATE, no SAY", sorted(vs))
    v.ok("RATE 5 :thanks")
    final, _ = v.cmd("HELLO group=tech :one more thing")
    f = kv(final)
    t.ok(final.startswith("OK") and f.get("visitor") == h["visitor"] and f.get("token") == h["token"]
         and f.get("chat") not in (None, h["chat"]),
         "HELLO again after ENDED: a new chat, same visitor and token", final)
    final2, _ = v.cmd("WHERE")
    t.ok(kv(final2).get("chat") == f.get("chat") and kv(final2).get("state") == "queued",
         "WHERE shows the new chat", final2)
    final, _ = v.cmd("SAY :new chat works")
    t.ok(final.startswith("OK seq="), "SAY in the new chat", final)
    final, rows = a.cmd("HISTORY " + h["visitor"])
    t.eq(len(rows), 2, "the visitor's HISTORY has both chats")

    # -- HELLO with a bare first word: a helpful error
    bad = srv.client()
    final, _ = bad.cmd("HELLO Robert")
    t.ok(final.startswith("ERR ARGS") and "name=Robert" in final, "HELLO Robert: ERR ARGS showing key=value", final)

    # -- CR-only line endings
    s = socket.create_connection(("127.0.0.1", srv.port), 5)
    deadline = time.time() + 5
    buf = b""

    def read_lines(n):
        global buf
        while buf.count(b"\n") < n and time.time() < deadline:
            s.settimeout(max(deadline - time.time(), 0.01))
            try:
                d = s.recv(4096)
            except socket.timeout:
                return
            if not d:
                return
            buf += d

    s.sendall(b"PING one\rPING two\r")
    read_lines(2)
    s.sendall(b"\nPING three\r\n")
    read_lines(3)
    s.close()
    t.eq(buf.decode().split("\n")[:3], ["OK PONG one", "OK PONG two", "OK PONG three"],
         "CR-only lines are answered; a LF after a CR is its CRLF, not an extra line")
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
