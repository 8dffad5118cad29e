"""Timers and limits, checked from outside against proto/PROTOCOL.md only,
each driven by a small config value rather than a long wait: the anonymous
timeout, the per-address connection cap, the visitor's open-chat cap and
new-chat rate, the message rate, the chat length limit, the answer
timeout, the resume window of a queued chat, the login throttle and the
HELLO field sizes. Each limit is hit from its own loopback address
(127.0.0.x), so one cannot disturb another."""
import os, re, socket, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Client, Tap, kv, text, wait_for, raw_first_line

t = Tap()
ANON = 2
srv = Server(extra={
    "limits": {"anon_timeout": ANON, "per_addr_max": 3, "msg_rate": 0.05, "msg_burst": 3,
               "chat_messages": 6},
    "visitor": {"per_addr_max": 2, "hello_rate": 4, "resume_timeout": 2},
    "routing": {"answer_timeout": 2},
    "auth": {"max_failures": 2, "window": 300},
})
srv.start_for(t)


def client(source):
    c = Client(port=srv.port, source=source)
    srv.clients.append(c)
    return c


try:
    # -- limits.anon_timeout: PING does not extend it; a LOGIN does
    c = client("127.0.0.2")
    t0 = time.time()
    c.ok("PING early")
    l = c.readline(ANON + 30)
    took = time.time() - t0
    t.eq(l, "ERR TIMEOUT no LOGIN, HELLO, GATEWAY or TICKET within %d seconds; closing" % ANON,
         "anon_timeout: the exact ERR TIMEOUT line, untagged")
    t.ok(took >= ANON - 0.5, "and not before anon_timeout (%.1f s)" % took)
    t.ok(c.wait_closed(20), "then the connection is closed")
    a = client("127.0.0.2")
    a.ok("LOGIN alice :alice123")
    t.ok(a.no_event("", ANON + 1), "a logged-in connection gets nothing after anon_timeout")
    t.eq(a.cmd("PING still")[0], "OK PONG still", "and is still open")

    # -- limits.per_addr_max
    three = [client("127.0.0.3") for _ in range(3)]
    t.ok(all(x.cmd("PING")[0] == "OK PONG" for x in three), "three connections from one address")
    s = socket.create_connection(("127.0.0.1", srv.port), 20, source_address=("127.0.0.3", 0))
    s.settimeout(20)
    buf = b""
    while True:
        try:
            d = s.recv(4096)
        except OSError:
            break
        if not d:
            break
        buf += d
    s.close()
    t.eq(buf, b"ERR LIMIT too many connections from your address\n",
         "a fourth: ERR LIMIT too many connections from your address, then closed")
    other = client("127.0.0.30")
    t.eq(other.cmd("PING")[0], "OK PONG", "another address still gets in")
    three[0].quit()
    again = wait_for(lambda: client("127.0.0.3").cmd("PING", 5)[0] == "OK PONG", 20)
    t.ok(again, "once one closes, the address gets in again")
    for x in three[1:]:
        x.quit()

    # -- visitor.per_addr_max (2 open chats)
    vs = [client("127.0.0.4") for _ in range(3)]
    h0 = vs[0].hello("group=tech :one")
    vs[1].hello("group=tech :two")
    final, _ = vs[2].cmd("HELLO group=tech :three")
    t.ok(final is not None and final.startswith("ERR LIMIT too many open chats from your address (at most 2)"),
         "a third open chat from one address: ERR LIMIT ... (at most 2)", final)
    t.eq(vs[2].cmd("PING")[0], "OK PONG", "the connection stays open")
    vs[0].ok("END")
    final, _ = vs[2].cmd("HELLO group=tech :three again")
    t.ok(final is not None and final.startswith("OK visitor="), "after one ended, the HELLO works", final)

    # -- visitor.hello_rate (4 new chats a minute)
    v = client("127.0.0.5")
    got = []
    for i in range(5):
        final, _ = v.cmd("HELLO group=tech :rate %d" % i)
        got.append(final)
        if final and final.startswith("OK"):
            v.ok("END")
            v.expect_event("ENDED", 20)
    t.ok(all(g.startswith("OK visitor=") for g in got[:4]), "four new chats within a minute", got)
    m = re.fullmatch(r"ERR FLOOD too many new chats from your address; try again in ([0-9]+) s", got[4] or "")
    t.ok(m is not None and int(m.group(1)) >= 1, "the fifth: ERR FLOOD ... try again in N s", got[4])
    t.eq(v.cmd("PING")[0], "OK PONG", "the connection stays open")

    # -- limits.msg_rate / msg_burst for SAY, TYPING and PAGE
    v = client("127.0.0.6")
    v.hello("group=tech :flood")
    res = [v.cmd("SAY :m%d" % i)[0] for i in range(3)]
    t.ok(all(r.startswith("OK seq=") for r in res), "a burst of msg_burst (3) messages", res)
    t.eq(v.cmd("SAY :one too many")[0], "ERR FLOOD too many messages; slow down", "the next SAY: ERR FLOOD")
    t.eq(v.cmd("TYPING :x")[0], "ERR FLOOD too many updates; slow down", "TYPING counts too: ERR FLOOD")
    t.eq(v.cmd("PAGE http://shop.example/x")[0], "ERR FLOOD too many updates; slow down",
         "PAGE counts too: ERR FLOOD")
    final, _ = v.cmd("WHERE")
    t.ok(final is not None and final.startswith("OK chat="), "other commands are not limited", final)

    # -- message sizes: 1-4096 bytes once unescaped, drafts 4096, pages 1024/256
    v = client("127.0.0.16")
    v.hello("group=tech :sizes")
    t.ok(v.cmd("SAY :" + "\\n" * 4000)[0].startswith("OK seq="),
         "SAY of 4000 escaped newlines (8000 bytes on the wire, 4000 stored): OK")
    t.eq(v.cmd("SAY :" + "a" * 4097)[0], "ERR ARGS a message must be 1-4096 bytes", "SAY of 4097 bytes: ERR ARGS")
    t.eq(v.cmd("SAY :")[0], "ERR ARGS a message must be 1-4096 bytes", "an empty SAY: ERR ARGS")
    t.eq(v.cmd("TYPING :" + "a" * 4097)[0], "ERR ARGS draft longer than 4096 bytes", "a 4097-byte draft: ERR ARGS")
    t.eq(v.cmd("PAGE http://x/" + "a" * 1016)[0], "ERR ARGS url at most 1024 bytes, title at most 256",
         "a 1025-byte url: ERR ARGS")
    t.eq(v.cmd("PAGE http://x/ :" + "t" * 257)[0], "ERR ARGS url at most 1024 bytes, title at most 256",
         "a 257-byte title: ERR ARGS")
    t.ok(v.cmd("SAY :" + "b" * 4096)[0].startswith("OK seq="),
         "the refusals took nothing from the burst: a 4096-byte SAY is OK")

    # -- LOGOUT: a fresh connection again, anon_timeout counted from then
    lo = client("127.0.0.17")
    lo.ok("LOGIN bob :bob123")
    t.ok(lo.no_event("", ANON + 0.5), "logged in past anon_timeout")
    t0 = time.time()
    t.ok(lo.cmd("LOGOUT")[0].startswith("OK connections="), "LOGOUT")
    t.ok(lo.cmd("MSG 1 :x")[0].startswith("ERR NOAUTH"), "after LOGOUT an agent verb is ERR NOAUTH")
    l = lo.readline(ANON + 30)
    took = time.time() - t0
    t.ok(l is not None and l.startswith("ERR TIMEOUT") and took >= ANON - 0.5,
         "ERR TIMEOUT anon_timeout after the LOGOUT, not at once (%.1f s)" % took, l)

    # -- limits.chat_messages (6, every kind)
    ag = client("127.0.0.7")
    ag.ok("LOGIN bob :bob123")
    v = client("127.0.0.8")
    chat = v.hello("group=tech :question")["chat"]        # 1
    ag.ok("ACCEPT " + chat)
    for i in range(4):                                     # 2..5
        ag.ok("MSG %s :a%d" % (chat, i))
    ag.ok("NOTE %s :sixth" % chat)                         # 6
    want = "ERR LIMIT chat is too long (at most 6 messages, 1048576 bytes of text); end it and start a new one"
    t.eq(ag.cmd("MSG %s :seventh" % chat)[0], want, "the seventh message: the exact ERR LIMIT")
    t.eq(ag.cmd("NOTE %s :seventh" % chat)[0], want, "a note too")
    t.eq(v.cmd("SAY :seventh")[0], want, "and the visitor's SAY")
    final, rows = ag.cmd("TRANSCRIPT " + chat)
    t.eq(final, "OK 6", "nothing more was stored")
    ag.ok("END " + chat)
    ag.ok("WRAPUP %s general" % chat)

    # -- routing.answer_timeout (sales is auto): unanswered, the chat goes back
    v = client("127.0.0.9")
    drainer = a
    while drainer.expect_event("", 0.15) is not None:
        pass
    chat = v.hello("group=sales :nobody answers")["chat"]
    e = a.expect_event("ASSIGN " + chat, 20)
    t.ok(e is not None and kv(e).get("by") == "auto" and kv(e).get("timeout") == "2",
         "auto routing: * ASSIGN by=auto timeout=2", e)
    u = a.expect_event("UNASSIGNED " + chat, 30)
    t.eq(u, "UNASSIGNED %s reason=timeout" % chat, "no answer within 2 s: * UNASSIGNED reason=timeout")
    e = a.expect_event("ASSIGN " + chat, 30)
    t.ok(e is not None, "nobody else can take it: it is offered to her again", e)
    a.ok("MSG %s :answered" % chat)
    t.ok(a.no_event("UNASSIGNED " + chat, 3), "once answered, it stays hers")
    a.ok("END " + chat)
    a.ok("WRAPUP %s general" % chat)

    # -- visitor.resume_timeout of a queued chat: it leaves the queue, the next moves up
    first = client("127.0.0.10")
    c1 = first.hello("group=tech :first in line")["chat"]
    second = client("127.0.0.11")
    c2 = second.hello("group=tech :second in line")["chat"]
    q = second.expect_event("QUEUED " + c2, 20)
    c1pos = kv(first.expect_event("QUEUED " + c1, 20)).get("pos")
    t.ok(q is not None and c1pos is not None and int(kv(q).get("pos")) == int(c1pos) + 1,
         "the second visitor is right behind the first", (c1pos, q))
    first.close()
    d = a.expect_event("QDEL " + c1, 30)
    t.eq(d, "QDEL %s group=tech" % c1, "after resume_timeout the dropped chat leaves the queue (* QDEL)")
    q = second.expect_event("QUEUED " + c2, 20)
    t.ok(q is not None and kv(q).get("pos") == c1pos, "the visitor behind moves up: * QUEUED pos=P-1", q)
    final, rows = a.cmd("TRANSCRIPT " + c1)
    t.ok(final == "OK 1" and text(rows[0]) == "first in line", "its transcript stays readable", rows)

    # -- the login throttle (auth.max_failures 2)
    x = client("127.0.0.12")
    r1 = x.cmd("LOGIN alice :wrong1")[0]
    r2 = x.cmd("LOGIN nosuch :wrong2")[0]
    t.ok(r1 == r2 == "ERR AUTH wrong user name or password",
         "a wrong password and an unknown user: the same ERR AUTH", (r1, r2))
    r3 = x.cmd("LOGIN alice :alice123")[0]
    m = re.fullmatch(r"ERR THROTTLE too many failed logins; retry in ([0-9]+) s", r3 or "")
    t.ok(m is not None and int(m.group(1)) >= 1, "past max_failures even the right password: ERR THROTTLE", r3)
    y = client("127.0.0.13")
    t.ok(y.cmd("LOGIN alice :alice123")[0].startswith("OK name=alice"), "another address logs in")
    z = client("127.0.0.14")
    final, _ = z.cmd("LOGIN alice :" + "p" * 257)
    t.eq(final, "ERR ARGS password too long (at most 256 bytes)", "a 257-byte password: ERR ARGS")
    t.ok(z.cmd("LOGIN alice :x")[0].startswith("ERR AUTH") and
         z.cmd("LOGIN alice :y")[0].startswith("ERR AUTH"),
         "and it counted nothing: two more wrong ones are ERR AUTH, not THROTTLE")

    # -- HELLO field sizes, in bytes
    h = client("127.0.0.15")
    t.eq(h.cmd("HELLO name=%s group=tech" % ("n" * 65))[0], "ERR ARGS name is longer than 64 bytes",
         "a 65-byte name: ERR ARGS name is longer than 64 bytes")
    t.eq(h.cmd("HELLO name=%s group=tech" % ("名" * 22))[0], "ERR ARGS name is longer than 64 bytes",
         "22 Chinese characters are 66 bytes: too long")
    t.eq(h.cmd("HELLO group=tech :" + "q" * 1025)[0], "ERR ARGS question longer than 1024 bytes",
         "a 1025-byte question: ERR ARGS question longer than 1024 bytes")
    final, _ = h.cmd("HELLO name=%s group=tech :%s" % ("n" * 64, "q" * 1024))
    t.ok(final is not None and final.startswith("OK visitor="), "64 and 1024 bytes are fine", final)

    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()

# -- limits.max_clients with limits.unix_reserved: TCP is full at 16 - 4,
# the unix socket still gets the last 4, then it is full too
srv = Server(extra={"limits": {"max_clients": 16, "unix_reserved": 4, "per_addr_max": 0}})
srv.start_for(t)
held = []


def first_line(unix):
    """Connect, say PING, return the first line kefud sends (kept open)."""
    if unix:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(20)
        s.connect(srv.sock)
    else:
        s = socket.create_connection(("127.0.0.1", srv.port), 20)
    held.append(s)
    try:
        s.sendall(b"PING x\n")
    except OSError:
        pass
    return raw_first_line(s)


try:
    tcp = [first_line(False) for _ in range(13)]
    t.eq(tcp[:12], ["OK PONG x"] * 12, "12 TCP connections (max_clients - unix_reserved) are served")
    t.eq(tcp[12], "ERR LIMIT server full, try again later", "the 13th TCP connection: ERR LIMIT server full")
    unix = [first_line(True) for _ in range(5)]
    t.eq(unix[:4], ["OK PONG x"] * 4, "the unix socket still gets the 4 reserved")
    t.eq(unix[4], "ERR LIMIT server full, try again later", "past max_clients the unix socket is full too")
    t.ok(srv.alive(), "kefud is still running")
finally:
    for s in held:
        s.close()
    srv.cleanup()
t.done()
