"""test_idle_flood - idle connections must not lock anyone out (issue 15,
item 5): with max_clients 100, an attacker opens hundreds of connections
and says nothing, first from one address, then from eight. A chat that was
going on keeps its latency; one address gets no more than per_addr_max; a
flood from many addresses fills TCP only up to max_clients -
unix_reserved, so staff still log in over the unix socket (the SSH
gateway's way in); after anon_timeout every idle connection has had
ERR TIMEOUT and new visitors are served again.

LAT_MAX as in test_hostile.py (1 s; HOSTILE_LAT_MAX)."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", "."), "tests", "scenarios"))
from kefutest import Server, Tap, latency_probe as probe, raw_first_line  # noqa: E402

LAT_MAX = float(os.environ.get("HOSTILE_LAT_MAX", "1.0"))
MAX, RESERVED, PER_ADDR, TIMEOUT = 100, 16, 32, 3


def flood(port, addrs, n):
    """n idle connections spread over the source addresses addrs."""
    socks = []
    for i in range(n):
        try:
            s = socket.create_connection(("127.0.0.1", port), 30,
                                         source_address=(addrs[i % len(addrs)], 0))
        except OSError:
            break
        s.settimeout(60)
        socks.append(s)
    return socks


def outcome(s):
    """What the server told an idle connection: its first line."""
    line = raw_first_line(s)
    s.close()
    return line or ""


def good_chat(srv, agent, t, what):
    """A fresh visitor over TCP, answered by the agent: latency probe."""
    vis = srv.client()
    final, _ = vis.cmd("HELLO name=good group=sales :hi")
    if final is None or not final.startswith("OK"):
        t.ok(False, "%s: a new visitor is served" % what, final)
        return
    chat = int(final.split("chat=")[1].split()[0])
    agent.expect_event("ASSIGN %d" % chat, 30)
    lat = probe(vis, agent, chat, 10)
    t.ok(lat is not None and lat < LAT_MAX,
         "%s: a new visitor is served, worst latency %.1f ms" % (what, 1000 * (lat or 0)))
    vis.cmd("END")
    vis.close()


def main():
    t = Tap()
    srv = Server(extra={"log_level": "warn",
                        "limits": {"max_clients": MAX, "unix_reserved": RESERVED,
                                   "per_addr_max": PER_ADDR, "anon_timeout": TIMEOUT}})
    srv.start_for(t)
    try:
        agent = srv.client(unix=True)
        agent.login("alice")
        vis = srv.client()
        chat = int(vis.hello("name=ongoing group=sales :hi")["chat"])
        agent.expect_event("ASSIGN %d" % chat, 30)
        base = probe(vis, agent, chat, 5)
        t.ok(base is not None and base < LAT_MAX, "baseline latency %.1f ms" % (1000 * (base or 0)))

        # one address: at most PER_ADDR (the ongoing visitor is one of them)
        socks = flood(srv.port, ["127.0.0.1"], 300)
        lat = probe(vis, agent, chat, 5)
        t.ok(lat is not None and lat < LAT_MAX,
             "300 idle connections from one address: the chat goes on, worst latency %.1f ms"
             % (1000 * (lat or 0)))
        got = [outcome(s) for s in socks]
        limit = sum(1 for l in got if l.startswith("ERR LIMIT "))
        timeout = sum(1 for l in got if l.startswith("ERR TIMEOUT "))
        t.ok(limit + timeout == len(socks) and timeout <= PER_ADDR - 1,
             "%d refused with ERR LIMIT, %d held until ERR TIMEOUT (at most %d)"
             % (limit, timeout, PER_ADDR - 1), sorted(set(got))[:5])
        good_chat(srv, agent, t, "after the single-address flood")

        # eight addresses: TCP fills to MAX - RESERVED
        addrs = ["127.0.0.%d" % i for i in range(2, 10)]
        socks = flood(srv.port, addrs, 8 * PER_ADDR)
        lat = probe(vis, agent, chat, 5)
        t.ok(lat is not None and lat < LAT_MAX,
             "%d idle connections from 8 addresses: the chat goes on, worst latency %.1f ms"
             % (len(socks), 1000 * (lat or 0)))
        staff = srv.client(unix=True)
        final, _ = staff.cmd("LOGIN bob :bob123")
        t.ok(final is not None and final.startswith("OK name=bob"),
             "staff log in over the unix socket during the flood", final)
        staff.close()
        got = [outcome(s) for s in socks]
        full = sum(1 for l in got if l.startswith("ERR LIMIT ") and "full" in l)
        timeout = sum(1 for l in got if l.startswith("ERR TIMEOUT "))
        t.ok(full > 0 and full + timeout == len(socks),
             "%d refused as server full, %d held until ERR TIMEOUT" % (full, timeout),
             sorted(set(got))[:5])
        t.ok(timeout <= MAX - RESERVED, "TCP held at most max_clients - unix_reserved (%d)" % timeout)
        good_chat(srv, agent, t, "after the timeouts")
        final, _ = vis.cmd("SAY :still here")
        t.ok(final is not None and final.startswith("OK seq="),
             "the ongoing visitor was never cut off", final)
    finally:
        srv.cleanup()
    t.done()


main()
