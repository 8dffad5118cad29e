"""What a hostile or broken client can do, and what it must not achieve:
overlong and endless lines, bad UTF-8, NUL bytes, garbage, malformed
requests, a thousand half-open connections, a reader that never reads
while being flooded with events, a visitor typing too fast. After each
step a fresh client must still be able to LOGIN and PING, and the flood
must not slow other clients down.

Nothing here depends on how fast the machine is: the visitor's token bucket
refills slowly (limits.msg_rate 0.5/s) so that "refused" and "allowed again"
hold with seconds to spare, and waits are for events with long deadlines."""
import os, random, socket, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
RATE = 0.5      # limits.msg_rate: a token every 2 s
# (per_addr_max 0: the many connections below stand for many clients;
# the visitor limits are off for the many visitors from 127.0.0.1)
srv = Server(extra={"limits": {"outbuf_max": 65536, "msg_rate": RATE, "per_addr_max": 0,
                               "msg_burst": 30},
                    "visitor": {"hello_rate": 0, "per_addr_max": 0}}).start()


def healthy(after):
    """A fresh client can log in and ping."""
    c = srv.client()
    try:
        final, _ = c.cmd("LOGIN bob :bob123", 5)
        pong, _ = c.cmd("PING alive", 5)
    except OSError as e:
        final, pong = repr(e), None
    c.close()
    t.ok(final is not None and final.startswith("OK name=bob") and pong == "OK PONG alive",
         "after %s: a fresh client can LOGIN and PING" % after, (final, pong))


def reply(c, timeout=5):
    """Next line that is not an event."""
    while True:
        l = c.readline(timeout)
        if l is None or not l.startswith("* "):
            return l


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for l in f:
            if l.startswith("VmRSS:"):
                return int(l.split()[1])
    return 0


try:
    healthy("start")

    # -- a line over the limit
    c = srv.client()
    c.send("@big PING " + "a" * 9000)
    r = reply(c)
    t.ok(r is not None and r.startswith("ERR TOOLONG"), "9000-byte line: ERR TOOLONG", r)
    final, _ = c.cmd("PING again")
    t.eq(final, "OK PONG again", "the same connection still works after TOOLONG")
    c.send("@ok PING " + "b" * 8000)
    r = reply(c)
    t.ok(r is not None and r.startswith("@ok OK PONG bbbb"), "a line just under the limit is served", r and r[:40])
    healthy("an overlong line")

    # -- 10 MB without a newline
    rss0 = rss_kb(srv.proc.pid)
    c = srv.client()
    chunk = b"x" * 65536
    try:
        for _ in range(160):
            c.send_raw(chunk)
        sent_all = True
    except OSError:
        sent_all = False
    t.ok(sent_all, "the server keeps reading a 10 MB line")
    r = reply(c)
    t.ok(r is not None and r.startswith("ERR TOOLONG"), "10 MB line: ERR TOOLONG", r)
    c.send("\n@after PING")
    r = reply(c)
    t.eq(r, "@after OK PONG", "after the newline the connection is served again")
    grew = rss_kb(srv.proc.pid) - rss0
    t.ok(grew < 8 * 1024, "kefud's memory grew by %d kB, not by the line's 10 MB" % grew)
    healthy("a 10 MB line")

    # -- bytes that are not text
    c = srv.client()
    for desc, data in (("invalid UTF-8", b"PING \xff\xfe\n"),
                       ("an overlong UTF-8 encoding", b"PING \xc0\xaf\n"),
                       ("a UTF-16 surrogate", b"PING \xed\xa0\x80\n"),
                       ("a truncated sequence", b"PING \xe4\xb8\n"),
                       ("a NUL byte", b"PI\x00NG\n"),
                       ("a NUL in the text", b"PING :a\x00b\n"),
                       ("an ESC control byte", b"PING \x1b[2J\n")):
        c.send_raw(data)
        r = reply(c)
        t.ok(r is not None and r.startswith("ERR UTF8"), "%s: ERR UTF8" % desc, r)
    final, _ = c.cmd("PING :tab\tis fine")
    t.ok(final is not None and final.startswith("ERR ARGS"), "a TAB is allowed (PING with text is ERR ARGS, not UTF8)", final)
    final, _ = c.cmd("PING 你好")
    t.eq(final, "OK PONG 你好", "valid multibyte UTF-8 passes")
    healthy("bad UTF-8 and NUL bytes")

    # -- malformed requests
    for desc, line, code in (("an unknown verb", "FROBNICATE now", "ERR UNKNOWN"),
                             ("a lone ':'", ":", "ERR PROTO"),
                             ("text without a verb", ":hello there", "ERR PROTO"),
                             ("a tag without a verb", "@lonely", "ERR PROTO"),
                             ("a tag then text", "@t1 :text only", "ERR PROTO"),
                             ("an empty tag", "@ PING", "ERR PROTO"),
                             ("a 33-character tag", "@" + "a" * 33 + " PING", "ERR PROTO"),
                             ("a verb with digits", "P1NG", "ERR PROTO"),
                             ("17 arguments", "PING " + " ".join("a%d" % i for i in range(17)), "ERR PROTO"),
                             ("too many arguments for the verb", "PING a b", "ERR ARGS")):
        c.send(line)
        r = reply(c)
        t.ok(r is not None and code in r.split(" :")[0][:40], "%s: %s" % (desc, code), r)
    c.send("   ")
    c.send("")
    final, _ = c.cmd("PING blank")
    t.eq(final, "OK PONG blank", "blank lines are ignored without a reply")
    c.send("@t16 PING " + " ".join("a%d" % i for i in range(16)))
    r = reply(c)
    t.ok(r is not None and r.startswith("@t16 ERR ARGS"), "16 arguments parse (PING then says ARGS)", r)
    healthy("malformed requests")

    # -- binary garbage
    rnd = random.Random(7)
    c = srv.client()
    garbage = bytes(rnd.randrange(256) for _ in range(200000))
    c.send_raw(garbage + b"\n@g PING garbage\n")
    got = None
    deadline = time.time() + 30
    while time.time() < deadline:
        l = c.readline(30)
        if l is None or l.startswith("@g "):
            got = l
            break
    t.eq(got, "@g OK PONG garbage", "200 kB of random bytes, then a PING on the same connection is answered")
    healthy("binary garbage")

    # -- a thousand connections come and go
    opened = 0
    for batch in range(5):
        socks = []
        for i in range(200):
            s = socket.create_connection(("127.0.0.1", srv.port), 5)
            socks.append(s)
            opened += 1
            if i % 3 == 0:
                s.sendall(b"LOGIN alice :alice1")   # half a line
            elif i % 3 == 1:
                s.sendall(b"PING\nHELLO name=gone group=tech :q\nSAY :half")
        for i, s in enumerate(socks):
            if i % 5 == 0:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()
    t.eq(opened, 1000, "opened and closed 1000 connections (some mid-line, some reset)")
    healthy("1000 connections")
    c = srv.client()
    c.login("admin")
    hellos = sum(1 for i in range(200) if i % 3 == 1) * 5
    resets = sum(1 for i in range(200) if i % 3 == 1 and i % 5 == 0) * 5
    rows = []
    deadline = time.time() + 30
    while time.time() < deadline:
        _, rows = c.cmd_all("QUEUE tech")
        if len(rows) >= hellos - resets:
            break
        time.sleep(0.2)
    t.ok(hellos - resets <= len(rows) <= hellos,
         "%d of %d visitors who said HELLO and vanished wait in the queue (%d were reset)"
         % (len(rows), hellos, resets))
    t.ok(rows and all("left=1" in r for r in rows), "all of them are marked left=1", rows[:3])
    c.close()

    # -- a reader that never reads, flooded with events
    slow = socket.socket()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.connect(("127.0.0.1", srv.port))
    slow.sendall(b"LOGIN carol :carol123\n")
    adm = srv.client()
    adm.login("admin")
    n = 8000
    body = "洪" * 300          # 900 bytes
    oks = [0]

    def admin_reader():
        deadline = time.time() + 120
        while oks[0] < n and time.time() < deadline:
            l = adm.readline(30)
            if l is None:
                return
            if l.startswith("@f") and " OK" in l:
                oks[0] += 1

    def admin_writer():
        # at most 40 requests in flight: the admin itself reads diligently
        # and must stay below outbuf_max within one server iteration
        deadline = time.time() + 120
        for i in range(0, n, 20):
            while i - oks[0] > 40 and time.time() < deadline:
                time.sleep(0.001)
            adm.send_raw("".join("@f%d ANNOUNCE :%s %d\n" % (j, body, j) for j in range(i, i + 20)))

    rd = threading.Thread(target=admin_reader, daemon=True)
    wr = threading.Thread(target=admin_writer, daemon=True)
    p = srv.client()
    rd.start(); wr.start()
    lat = []
    while rd.is_alive() and len(lat) < 400:
        t0 = time.time()
        final, _ = p.cmd("PING", 10)
        lat.append(time.time() - t0 if final == "OK PONG" else 99)
        time.sleep(0.01)
    rd.join(120); wr.join(30)
    t.eq(oks[0], n, "the admin's %d announcements were all answered" % n)
    # a loop blocked by the flood would show as seconds (or 99: no answer)
    t.ok(lat and max(lat) < 2.0, "PING from another client during the flood: %d pings, max %.3f s"
         % (len(lat), max(lat) if lat else -1))
    slow.settimeout(0.2)
    dropped = False
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            d = slow.recv(1 << 20)
        except socket.timeout:
            continue
        except OSError:
            dropped = True
            break
        if not d:
            dropped = True
            break
    slow.close()
    t.ok(dropped, "the reader that never reads was disconnected")
    t.ok("dropping supervisor client" in srv.log() and "output buffer limit" in srv.log(),
         "kefud logged that it dropped the supervisor for its output buffer")
    adm.close()
    healthy("an event flood to a reader that never reads")

    # -- a visitor typing too fast
    def say_when_allowed(v, body):
        """SAY until the bucket has a token again (ERR FLOOD meanwhile)."""
        deadline = time.time() + 60
        while time.time() < deadline:
            final, _ = v.cmd("SAY :" + body)
            if final is None or not final.startswith("ERR FLOOD"):
                return final
            time.sleep(0.2)
        return None

    a = srv.client(); a.login("alice")
    v = srv.client()
    h = v.hello("name=Flood group=tech :x")
    a.ok("ACCEPT " + h["chat"])
    v.send_raw("".join("@s%d SAY :spam %d\n" % (i, i) for i in range(80)))
    codes = []
    while len(codes) < 80:
        l = reply(v)
        if l is None:
            break
        codes.append(l.split()[1])
    n_ok, n_flood = codes.count("OK"), codes.count("ERR")
    t.ok(len(codes) == 80 and n_flood > 0, "80 SAYs at once: %d OK, %d refused" % (n_ok, n_flood))
    # 30 of burst, plus one per 2 s that the 80 took to be read
    t.ok(all(l for l in codes) and n_ok <= 35, "no more than the burst gets through (%d)" % n_ok)
    final, _ = v.cmd("SAY :one more")
    t.ok(final is not None and final.startswith("ERR FLOOD"), "right after: ERR FLOOD", final)
    # the bucket refills at msg_rate: after a while there is room again,
    # and right after that a new burst is refused
    stored = n_ok
    for rnd_ in range(2):
        final = say_when_allowed(v, "calm now %d" % rnd_)
        t.ok(final is not None and final.startswith("OK seq="),
             "round %d: once the bucket refills the visitor may talk again" % (rnd_ + 1), final)
        stored += 1 if final and final.startswith("OK") else 0
        v.send_raw("".join("@r%d SAY :again %d\n" % (i, i) for i in range(10)))
        got = [reply(v) for _ in range(10)]
        stored += sum(1 for l in got if l and " OK " in l)
        t.ok(any(l and "ERR FLOOD" in l for l in got), "round %d: flooding again gets ERR FLOOD" % (rnd_ + 1), got)
    final, _ = v.cmd("SAY :" + "长" * 1366)          # 4098 bytes (checked before the rate)
    t.ok(final is not None and final.startswith("ERR ARGS"), "a message over 4096 bytes: ERR ARGS", final)
    _, rows = a.cmd_all("TRANSCRIPT " + h["chat"])
    t.eq(len(rows), 1 + stored, "only the accepted messages were stored (%d)" % stored)
    healthy("a visitor flood")

    # -- a visitor trying to forge protocol lines or overflow fields
    final = say_when_allowed(v, "ok\\n* KICKED :fake\\n@t1 OK")
    t.ok(final is not None and final.startswith("OK seq="), "a message with escaped newlines is accepted", final)
    seq = kv(final).get("seq")
    m = a.expect_event("MSG %s %s" % (h["chat"], seq), 10)
    t.eq(text(m), "ok\n* KICKED :fake\n@t1 OK", "the agent gets it as one escaped line, newlines intact")
    t.ok(a.no_event("KICKED", 0.3), "no forged * KICKED reaches the agent")
    x = srv.client()
    for desc, line in (("an unknown HELLO field", "HELLO name=x evil=1 :q"),
                       ("a 300-byte name", "HELLO name=%s :q" % ("n" * 300)),
                       ("a 2000-byte question", "HELLO group=tech :" + "q" * 2000),
                       ("an unknown group", "HELLO group=nosuch :q")):
        final, _ = x.cmd(line)
        t.ok(final is not None and (final.startswith("ERR ARGS") or final.startswith("ERR NOTFOUND")),
             "HELLO with %s: a clear error" % desc, final)
    final, _ = x.cmd("HELLO name=ok group=tech :fine")
    t.ok(final is not None and final.startswith("OK visitor="), "then a proper HELLO on the same connection works", final)
    healthy("forged lines and oversized fields")
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
