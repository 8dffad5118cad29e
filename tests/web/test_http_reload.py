#!/usr/bin/env python3
"""test_http_reload - the web door's http.* settings are read again on
SIGHUP (all but listen.http): allowed_origins, trust_proxy,
prechat_required (the next /kefu.js), max_per_addr, allow_login; a
WebSocket opened before the reload goes on; a file with an error keeps
the running settings. At the stop, HTTP connections get no protocol line
(a browser reusing a spare socket read "* SHUTDOWN" as its response).
Waits are bounded polls after the signal."""
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsclient import WSClient, http_request  # noqa: E402
from kefutest import Server, Tap  # noqa: E402

t = Tap()
WAIT = 20


def ws(srv, origin=None, extra=""):
    return WSClient(srv.http_port, origin=origin or "http://127.0.0.1:%d" % srv.http_port,
                    extra=extra)


def required(srv):
    try:    # refused while a closed WebSocket still counts under the cap
        st, _, body = http_request(srv.http_port, b"GET /kefu.js HTTP/1.1\r\nHost: x\r\n\r\n")
    except OSError:
        return ""
    first = body.split(b"\n", 1)[0].decode() if st == 200 else ""
    return first


def poll(fn, timeout=WAIT):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    return None


def hup(srv, http):
    srv.config["http"] = http
    srv.write_config()
    os.kill(srv.proc.pid, signal.SIGHUP)


def main():
    srv = Server(extra={"http": {"max_per_addr": 4, "prechat_required": "name,question"}})
    srv.start()
    try:
        t.eq(required(srv), 'var KEFU_REQUIRED = "name,question";', "/kefu.js: name,question at start")
        w = ws(srv, origin="https://shop.example")
        t.eq(w.status, 403, "an unlisted origin: 403")
        w.close()
        old = ws(srv)
        t.ok(old.upgraded(), "a WebSocket before the reload")
        t.eq(old.cmd("LOGIN alice :alice123")[0].split()[:2], ["ERR", "DENIED"],
             "LOGIN over WebSocket: ERR DENIED (http.allow_login false)")
        hup(srv, {"max_per_addr": 2, "prechat_required": "name,email,question",
                  "allowed_origins": "https://shop.example", "allow_login": True,
                  "ping_interval": 30, "header_timeout": 10})
        got = poll(lambda: "email" in required(srv) and required(srv))
        t.eq(got, 'var KEFU_REQUIRED = "name,email,question";',
             "after SIGHUP /kefu.js asks for the new pre-chat fields")
        w = ws(srv, origin="https://shop.example")
        t.ok(w.upgraded(), "the newly listed origin is let in", (w.status, w.headers))
        t.eq(old.cmd("PING still")[0], "OK PONG still", "the WebSocket from before goes on")
        t.ok(old.cmd("LOGIN alice :alice123")[0].startswith("OK name=alice"),
             "http.allow_login true: LOGIN over the open WebSocket now works")
        extra = ws(srv)
        t.eq(extra.status, 429, "http.max_per_addr 2: a third connection is 429")
        extra.close()
        w.close()
        # a file with an error: nothing changes
        srv.config["http"] = {"max_per_addr": 0}
        srv.write_config()
        os.kill(srv.proc.pid, signal.SIGHUP)
        logged = poll(lambda: "keeping the old configuration" in srv.log())
        t.ok(logged, "a bad http.max_per_addr on SIGHUP is refused (logged)")
        w = poll(lambda: (lambda c: c if c.upgraded() else c.close())(ws(srv)))
        t.ok(w is not None, "a second connection is let in again (one closed)")
        extra = ws(srv)
        t.eq(extra.status, 429, "and the running cap (2) still holds")
        extra.close()
        for c in (w, old):
            c.close()
        got = poll(lambda: required(srv))
        t.eq(got, 'var KEFU_REQUIRED = "name,email,question";',
             "and the widget keeps its fields")
        # trust_proxy: X-Forwarded-For counts only from a listed proxy
        hup(srv, {"trust_proxy": "127.0.0.1", "max_per_addr": 1})
        poll(lambda: required(srv) == 'var KEFU_REQUIRED = "name,question";')
        a = ws(srv, extra="X-Forwarded-For: 203.0.113.5\r\n")
        b = ws(srv, extra="X-Forwarded-For: 203.0.113.6\r\n")
        t.ok(a.upgraded() and b.upgraded(),
             "http.trust_proxy reloaded: two forwarded addresses, one connection each (cap 1)")
        c = ws(srv, extra="X-Forwarded-For: 203.0.113.5\r\n")
        t.eq(c.status, 429, "a second from the same forwarded address: 429")
        for x in (a, b, c):
            x.close()
        t.ok(srv.alive(), "kefud is alive")
        # stopping: an idle HTTP socket (a browser's spare) gets no
        # protocol line, only its end
        idle = socket.create_connection(("127.0.0.1", srv.http_port), 5)
        half = socket.create_connection(("127.0.0.1", srv.http_port), 5)
        half.sendall(b"GET /kefu.js HTTP/1.1\r\n")
        v = ws(srv)
        t.ok(v.upgraded() and v.cmd("PING")[0] == "OK PONG", "a WebSocket is open at the stop")
        srv.stop()
        for s, what in ((idle, "an idle HTTP connection"), (half, "a half-sent request")):
            s.settimeout(10)
            data = b""
            try:
                while True:
                    d = s.recv(4096)
                    if not d:
                        break
                    data += d
            except OSError:
                pass
            t.eq(data, b"", "at the stop %s gets nothing but its end (no * SHUTDOWN)" % what)
            s.close()
        line = v.readline(10)
        t.ok(line is not None and line.startswith("* SHUTDOWN"),
             "the WebSocket still gets * SHUTDOWN as a frame", line)
        v.close()
    finally:
        srv.cleanup()
    t.done()


main()
