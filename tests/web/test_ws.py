#!/usr/bin/env python3
"""test_ws - visitors over kefud's WebSocket door (listen.http), with a
minimal stdlib client (wsclient.py): the handshake and its refusals, a
whole chat while the agent uses TCP, frames by hand (fragmented, masked,
unmasked, ping, binary, oversized), the HTTP answers, caps and timeouts,
1,000 WebSocket visitors at once, and a resume after an abrupt drop."""
import os
import resource
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wsclient  # noqa: E402
from wsclient import (WSClient, OP_TEXT, OP_CONT, OP_BIN, OP_PING, OP_PONG,  # noqa: E402
                      OP_CLOSE, http_request, accept_for)
from kefutest import Server, Tap, kv, text  # noqa: E402

t = Tap()
UA = "Mozilla/5.0 (kefu-test) 浏览器"


def origin(srv):
    return "http://127.0.0.1:%d" % srv.http_port


def ws(srv, **kw):
    kw.setdefault("origin", origin(srv))
    return WSClient(srv.http_port, **kw)


def get(srv, raw):
    return http_request(srv.http_port, raw.encode() if isinstance(raw, str) else raw)


def test_http(srv):
    st, h, body = get(srv, "GET /kefu.js HTTP/1.1\r\nHost: x\r\n\r\n")
    t.eq(st, 200, "GET /kefu.js is 200")
    t.ok(h.get("content-type", "").startswith("application/javascript"),
         "kefu.js is served as JavaScript")
    t.ok(b"KEFU_REQUIRED" in body and len(body) == int(h.get("content-length", -1)),
         "kefu.js carries the pre-chat fields and its length")
    st, h, body = get(srv, "GET /kefu.js?v=2 HTTP/1.1\r\nHost: x\r\n\r\n")
    t.eq(st, 200, "a query string does not change the file")
    st, h, body = get(srv, "HEAD /demo.html HTTP/1.1\r\nHost: x\r\n\r\n")
    t.ok(st == 200 and body == b"" and int(h.get("content-length", 0)) > 0,
         "HEAD /demo.html: headers only", (st, h, body[:50]))
    for path in ["/", "/etc/passwd", "/../../../etc/passwd",
                 "/%2e%2e/%2e%2e/etc/passwd", "/kefu.js/../../etc/passwd",
                 "/web/kefu.js", "//etc/passwd", "/kefu.js%00.html"]:
        st, _, body = get(srv, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path)
        t.ok(st in (400, 404) and b"root:" not in body,
             "no file outside the fixed set: %s -> %s" % (path, st))
    st, h, _ = get(srv, "POST /kefu.js HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
    t.ok(st == 405 and "GET" in h.get("allow", ""), "POST is 405 with Allow", (st, h))
    st, _, _ = get(srv, "DELETE /ws HTTP/1.1\r\nHost: x\r\n\r\n")
    t.eq(st, 405, "DELETE /ws is 405")
    st, _, _ = get(srv, "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n")
    t.eq(st, 400, "GET /ws without an upgrade is 400")
    st, _, _ = get(srv, "BLAH\x01 / HTTP/9\r\n\r\n")
    t.eq(st, 400, "garbage is 400")
    st, _, _ = get(srv, "GET /kefu.js HTTP/1.1\r\nX-Big: " + "a" * 9000 + "\r\n\r\n")
    t.eq(st, 431, "headers over 8 KiB are 431")


def test_handshake(srv):
    w = ws(srv)
    t.ok(w.upgraded(), "handshake: 101 with the right Sec-WebSocket-Accept",
         (w.status, w.headers))
    t.eq(accept_for("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
         "the test's accept computation matches RFC 6455's example")
    w.close()
    for key, why in [("short", "a short key"), ("!!!!!!!!!!!!!!!!!!!!!!==", "a non-base64 key"),
                     ("dGhlIHNhbXBsZSBub25jZQ", "a key without padding"),
                     ("dGhlIHNhbXBsZSBub25jZSE=", "a key of 17 bytes"), ("", "no key")]:
        w = ws(srv, key=key)
        t.eq(w.status, 400, "bad Sec-WebSocket-Key (%s): 400" % why)
        w.close()
    w = WSClient(srv.http_port, origin=None)
    t.eq(w.status, 403, "no Origin: 403")
    w.close()
    w = ws(srv, origin="https://evil.example")
    t.eq(w.status, 403, "an unlisted cross-site Origin: 403")
    w.close()
    w = ws(srv, origin="https://shop.example")
    t.ok(w.upgraded(), "a listed Origin (http.allowed_origins) is let in")
    w.close()
    w = ws(srv, extra="Sec-WebSocket-Version: 8\r\n")
    t.eq(w.status, 400, "a second, wrong Sec-WebSocket-Version: 400")
    w.close()


def test_chat(srv):
    a = srv.client()
    a.login("alice")
    v = ws(srv, extra="User-Agent: %s\r\nX-Forwarded-For: 10.9.9.9, 203.0.113.7\r\n" % UA)
    final, _ = v.cmd("HELLO name=王小明 page=/shop referrer=https://search.example :订单 #42 没到 😀")
    info = kv(final)
    t.ok(final and final.startswith("OK") and "token" in info, "HELLO over WebSocket", final)
    ev = v.expect_event("ASSIGNED")
    t.ok(ev is not None and "agent=Alice" in ev, "visitor gets * ASSIGNED with the agent", ev)
    asg = a.expect_event("ASSIGN ")
    chat = asg.split()[1] if asg else "0"
    t.ok(asg is not None and "name=王小明" in asg, "agent (TCP) gets the chat", asg)
    a.ok("TYPING %s :您好,请" % chat)
    ev = v.expect_event("TYPING %s" % chat)
    t.ok(ev is not None and "agent=Alice" in ev and "on=1" in ev and "您好" not in ev,
         "the visitor sees the agent typing, never the draft", ev)
    a.ok("TYPING %s" % chat)
    ev = v.expect_event("TYPING %s" % chat)
    t.ok(ev is not None and "on=0" in ev, "and when the agent stops", ev)
    a.ok("MSG %s :您好!请问有什么可以帮您?" % chat)
    a.expect_event("MSG %s" % chat)     # the sender's own copy
    ev = v.expect_event("MSG %s" % chat)
    t.eq(text(ev), "您好!请问有什么可以帮您?", "the agent's reply reaches the WebSocket")
    final, _ = v.cmd("SAY :我的订单 <b>没到</b> 😀")
    t.ok(final and final.startswith("OK seq="), "SAY over WebSocket", final)
    ev = a.expect_event("MSG %s" % chat)
    t.eq(text(ev), "我的订单 <b>没到</b> 😀", "the visitor's message reaches the agent as is")
    t.ok(v.cmd("TYPING :我想")[0] == "OK", "TYPING over WebSocket")
    ev = a.expect_event("TYPING %s" % chat)
    t.eq(text(ev), "我想", "the agent sees the draft")
    t.ok(v.cmd("PAGE https://shop.example/cart :购物车")[0] == "OK", "PAGE over WebSocket")
    ev = a.expect_event("PAGE %s" % chat)
    t.ok(ev is not None and "url=https://shop.example/cart" in ev, "the agent sees the page", ev)
    final, rows = a.cmd("VISITOR %s" % info.get("visitor"))
    card = {}
    for r in rows:
        if "=" in r and not r.startswith("page"):
            card.update(kv(r))
    t.eq(card.get("ua"), UA, "VISITOR shows the User-Agent")
    t.eq(card.get("addr"), "203.0.113.7",
         "VISITOR shows the address from X-Forwarded-For (trusted proxy)")
    # a frame holding two lines is one line: refused, not two requests
    v.send("PING a\nSAY :smuggled")
    l = v.readline()
    t.ok(l is not None and l.startswith("ERR UTF8"), "a newline inside a frame: ERR UTF8", l)
    t.ok(a.no_event("MSG %s" % chat, 0.3), "nothing was smuggled through")
    v.send("@n1 PING trailing\n")
    l = v.readline()
    t.eq(l, "@n1 OK PONG trailing", "one trailing newline in a frame is allowed")
    a.ok("END %s" % chat)
    ev = v.expect_event("ENDED %s" % chat)
    t.ok(ev is not None, "visitor gets * ENDED", ev)
    t.ok(v.cmd("RATE 5 :很好")[0] == "OK", "RATE over WebSocket")
    ev = a.expect_event("RATED %s" % chat)
    t.ok(ev is not None and "score=5" in ev, "agent gets * RATED", ev)
    for verb in ["LOGIN alice :alice123", "TICKET alice abc", "GATEWAY :secret",
                 "QUEUE", "AGENTS"]:
        final, _ = v.cmd(verb)
        t.ok(final is not None and final.startswith("ERR DENIED"),
             "%s over WebSocket: ERR DENIED" % verb.split()[0], final)
    w = ws(srv)
    final, _ = w.cmd("LOGIN alice :alice123")
    t.ok(final is not None and final.startswith("ERR DENIED"),
         "LOGIN on a fresh WebSocket: ERR DENIED", final)
    final, _ = w.cmd("QUIT")
    t.eq(final, "OK bye", "QUIT over WebSocket")
    t.eq(w.wait_close(), 1000, "then a close frame 1000")
    w.close()
    v.close()
    a.close()


def test_frames(srv):
    w = ws(srv)
    w.send_frame(OP_TEXT, "@f1 PI", fin=False)
    w.send_frame(OP_PING, "mid")
    w.send_frame(OP_CONT, "NG ", fin=False)
    w.send_frame(OP_CONT, "frag", fin=True)
    op, p = w.recv_frame()
    t.ok(op == OP_PONG and p == b"mid", "a ping between fragments is answered first", (op, p))
    t.eq(w.readline(), "@f1 OK PONG frag", "a fragmented message is one line")
    w.send_frame(OP_PING, "hello")
    op, p = w.recv_frame()
    t.ok(op == OP_PONG and p == b"hello", "ping gets a pong with the same payload", (op, p))
    w.send_frame(OP_TEXT, "@u1 PING")
    t.eq(w.readline(), "@u1 OK PONG", "masked frames are read")
    # the server's frames are never masked (recv_frame reports "masked")
    w.close()
    w = ws(srv)
    w.send_frame(OP_TEXT, "PING", mask=False)
    t.eq(w.wait_close(), 1002, "an unmasked client frame: close 1002")
    w.close()
    w = ws(srv)
    w.send_frame(OP_BIN, b"\x00\x01\x02")
    t.eq(w.wait_close(), 1003, "a binary frame: close 1003")
    w.close()
    w = ws(srv)
    w.send_frame(OP_TEXT, "SAY :" + "x" * 1100)
    t.eq(w.wait_close(), 1009, "a frame over limits.line_max: close 1009")
    w.close()
    w = ws(srv)
    w.send_frame(OP_TEXT, "SAY :" + "y" * 400, fin=False)
    w.send_frame(OP_CONT, "y" * 400, fin=False)
    w.send_frame(OP_CONT, "y" * 400, fin=True)
    t.eq(w.wait_close(), 1009, "fragments adding up over the limit: close 1009")
    w.close()
    w = ws(srv)
    w.send_frame(OP_TEXT, b"PING \xff\xfe")
    t.eq(w.wait_close(), 1007, "invalid UTF-8 in a text frame: close 1007")
    w.close()
    w = ws(srv)
    w.send_frame(OP_TEXT, "PING", rsv=4)
    t.eq(w.wait_close(), 1002, "reserved bits set: close 1002")
    w.close()
    w = ws(srv)
    final, _ = w.cmd("HELLO name=flood :hi")
    floods = 0
    for i in range(60):
        w.send("SAY :msg %d" % i)
    for i in range(60):
        l = w.readline()
        while l is not None and l.startswith("* "):
            l = w.readline()
        if l is not None and l.startswith("ERR FLOOD"):
            floods += 1
    t.ok(floods > 0, "the TCP flood limit holds over WebSocket (%d of 60 refused)" % floods)
    w.close()
    # a request and a frame in one packet: the frame is not lost
    s = socket.create_connection(("127.0.0.1", srv.http_port), 5)
    raw, key = wsclient.handshake_bytes(origin=origin(srv), host="127.0.0.1:%d" % srv.http_port)
    s.sendall(raw + wsclient.frame(OP_TEXT, "@p1 PING together"))
    s.settimeout(5)
    data = b""
    deadline = time.time() + 5
    while b"together" not in data and time.time() < deadline:
        try:
            d = s.recv(4096)
        except socket.timeout:
            break
        if not d:
            break
        data += d
    t.ok(b"101 Switching" in data and b"@p1 OK PONG together" in data,
         "a frame sent with the request is answered", data[-60:])
    s.close()


def test_resume(srv):
    a = srv.client()
    a.login("bob")
    v = ws(srv)
    info = v.hello("name=resume group=tech :回来")
    chat = info["chat"]
    a.ok("ACCEPT %s" % chat)
    v.expect_event("ASSIGNED")
    v.ok("SAY :第一条")
    a.ok("MSG %s :收到" % chat)
    v.expect_event("MSG %s" % chat)
    v.s.close()     # abrupt: no close frame
    ev = a.expect_event("LEFT %s" % chat)
    t.ok(ev is not None, "an abrupt drop: the agent gets * LEFT", ev)
    v2 = ws(srv)
    final, _ = v2.cmd("HELLO token=%s" % info["token"])
    t.ok(final is not None and "resumed=1" in final and ("chat=%s" % chat) in final,
         "HELLO token=... on a new WebSocket resumes the chat", final)
    got = []
    while True:
        e = v2.expect_event("MSG %s" % chat, 2)
        if e is None:
            break
        got.append(text(e))
    t.ok("第一条" in got and "收到" in got, "the transcript is replayed", got)
    t.ok(a.expect_event("BACK %s" % chat) is not None, "the agent gets * BACK")
    a.ok("MSG %s :还在吗" % chat)
    t.eq(text(v2.expect_event("MSG %s" % chat)), "还在吗", "the chat goes on")
    v2.close()
    a.close()


def rss_kb(srv):
    """kefud's resident memory in kB, or None."""
    try:
        with open("/proc/%d/status" % srv.proc.pid) as f:
            return int([l for l in f if l.startswith("VmRSS")][0].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def test_many(srv):
    n = 1000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 100 and hard >= n + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    rss0 = rss_kb(srv)
    t0 = time.time()
    clients = []
    for i in range(n):
        clients.append(ws(srv, timeout=30))
    ups = sum(1 for c in clients if c.upgraded())
    t.eq(ups, n, "%d WebSocket handshakes at once" % n)
    for i, c in enumerate(clients):
        c.send("@h HELLO name=v%d group=tech :q" % i)
    oks = 0
    deadline = time.time() + 120
    for c in clients:
        while time.time() < deadline:
            l = c.readline(max(0.1, deadline - time.time()))
            if l is None:
                break
            if l.startswith("@h OK"):
                oks += 1
                break
    el = time.time() - t0
    t.eq(oks, n, "%d WebSocket visitors all got their HELLO answered (%.1fs)" % (n, el))
    a = srv.client()
    a.login("carol")
    final, rows = a.cmd_all("QUEUE tech")
    t.ok(final is not None and len(rows) >= n, "the agent sees them queued (%d)" % len(rows))
    rss = rss_kb(srv)
    if rss is None or rss0 is None:
        t.ok(True, "kefud RSS not readable here")
    else:
        t.ok(rss < 150 * 1024, "kefud RSS with %d WebSocket visitors: %d kB" % (n, rss))
        # an idle WebSocket visitor holds no wslay context (9.4 KB) and no
        # HTTP request state: what it costs is about a TCP visitor's
        # (~3 KB with its chat); a sanitizer's quarantine keeps freed
        # memory, so the figure means nothing there
        per = (rss - rss0) * 1024 // n
        if os.environ.get("ASAN_OPTIONS"):
            t.ok(True, "memory per WebSocket visitor: %d bytes (sanitizer build: not checked)" % per)
        else:
            t.ok(per < 5000, "memory per idle WebSocket visitor: %d bytes (< 5000)" % per)
    for c in clients:
        c.close()
    a.close()


def test_limits():
    srv = Server(extra={"http": {"max_per_addr": 3, "header_timeout": 1}})
    srv.start()
    try:
        held = [ws(srv) for _ in range(3)]
        t.ok(all(c.upgraded() for c in held), "3 connections from one address")
        extra = ws(srv)
        t.eq(extra.status, 429, "the 4th (http.max_per_addr: 3): 429")
        extra.close()
        held[0].close()
        deadline = time.time() + 10
        again = None
        while time.time() < deadline:
            again = ws(srv)
            if again.upgraded():
                break
            again.close()
            time.sleep(0.1)
        t.ok(again is not None and again.upgraded(), "a slot frees when one closes")
        for c in held[1:] + [again]:
            c.close()
        # a client that never finishes its request is reaped
        s = socket.create_connection(("127.0.0.1", srv.http_port), 5)
        s.sendall(b"GET /kefu.js HTTP/1.1\r\nHost: x\r\n")
        s.settimeout(15)
        t0 = time.time()
        try:
            d = s.recv(100)
        except socket.timeout:
            d = None
        t.ok(d == b"" and time.time() - t0 < 14,
             "a half-sent request is closed after http.header_timeout (%.1fs)" % (time.time() - t0))
        s.close()
    finally:
        srv.cleanup()


def test_slow_reader():
    """A WebSocket visitor that reads nothing is dropped once its unread
    output (lines, frames and the wire buffer together) passes
    limits.outbuf_max, as a TCP client is; kefud goes on."""
    srv = Server(extra={"limits": {"outbuf_max": 65536, "msg_rate": 1000000,
                                   "msg_burst": 100000,
                                   "chat_bytes": 64 << 20}})
    srv.start()
    try:
        a = srv.client()
        a.login("alice")
        v = ws(srv, rcvbuf=4096)
        info = v.hello("name=slow group=tech :q")
        chat = info["chat"]
        a.ok("ACCEPT %s" % chat)
        body = "x" * 900
        left = None
        sent = 0
        deadline = time.time() + 120
        while left is None and sent < 9000 and time.time() < deadline:
            for _ in range(50):     # pipelined, then the answers
                a.send("MSG %s :%s" % (chat, body))
            sent += 50
            for _ in range(50):
                l = a.readline(30)
                while l is not None and not (l.startswith("OK") or l.startswith("ERR")):
                    if l.startswith("* LEFT %s" % chat):
                        left = l
                    l = a.readline(30)
        t.ok(left is not None, "the visitor that reads nothing is dropped (%d messages sent)" % sent)
        t.ok("unread (limit 65536)" in srv.log(),
             "dropped for its unread output, at limits.outbuf_max")
        t.eq(a.cmd("PING slow")[0], "OK PONG slow", "kefud goes on")
        v.s.close()
        a.close()
    finally:
        srv.cleanup()


def main():
    # 1000 WebSocket visitors from 127.0.0.1: the per-address limits are off;
    # pings rare: test_many reads its 1000 visitors one after the other, and
    # on a busy machine under ASan that takes longer than twice the default
    # 30 s, after which kefud rightly closes a visitor that never answered
    srv = Server(extra={"limits": {"line_max": 1024, "max_clients": 5000},
                        "visitor": {"hello_rate": 0, "per_addr_max": 0},
                        "http": {"allowed_origins": "https://shop.example",
                                 "trust_proxy": "127.0.0.1",
                                 "max_per_addr": 2000, "ping_interval": 900}})
    srv.start()
    try:
        test_http(srv)
        test_handshake(srv)
        test_chat(srv)
        test_frames(srv)
        test_resume(srv)
        test_many(srv)
        c = srv.client()
        t.eq(c.cmd("PING still")[0], "OK PONG still", "kefud still answers over TCP")
        t.ok(srv.alive(), "kefud is alive after all that")
    finally:
        srv.cleanup()
    test_limits()
    test_slow_reader()
    t.done()


main()
