"""test_poison - a visitor makes a chat as long as it can (issue 15 item 2).

A visitor from 127.0.0.2 sends 560 SAYs of 4,090 escaped newlines (each
line just under limits.line_max), as in the report, then disconnects. The
chat must stop growing at limits.chat_bytes with ERR LIMIT; an agent who
opens it must get the whole transcript page by page (following next=)
without being dropped, and an agent who asks for many big pages at once
without reading must be paused, not dropped. A normal visitor and agent
(127.0.0.1) keep talking meanwhile: their SAY -> * MSG latency is measured
and must stay under LAT_MAX seconds.
"""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", "."), "tests", "scenarios"))
from kefutest import Client, Server, Tap  # noqa: E402

LAT_MAX = float(os.environ.get("HOSTILE_LAT_MAX", "0.5"))
SAYS = 560
BODY = "\\n" * 4090
POISON_ADDR = "127.0.0.2"


def probe(vis, agent, chat, n):
    worst = 0.0
    for i in range(n):
        t0 = time.time()
        f, _ = vis.cmd("SAY :probe %d" % i)
        if f is None or not f.startswith("OK") or agent.expect_event("MSG %s " % chat, 5) is None:
            return None
        worst = max(worst, time.time() - t0)
        agent.events.clear()
    return worst


def poison_client(port):
    c = Client.__new__(Client)
    s = socket.socket()
    s.bind((POISON_ADDR, 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    c.s, c.timeout, c.buf, c.events, c.closed = s, 10, b"", [], False
    return c


def main():
    t = Tap()
    srv = Server(extra={"log_level": "warn",
                        "limits": {"msg_rate": 1000, "msg_burst": 1000}})
    try:
        srv.start()
        poisoner = poison_client(srv.port)
    except (RuntimeError, OSError) as e:
        t.skip_all("cannot start: %s" % e)
    try:
        alice = srv.client()
        alice.login("alice")
        owner, vis, good = srv.served_chat("bob")
        base = probe(vis, owner, good, 10)
        t.ok(base is not None and base < LAT_MAX, "baseline: worst latency %.1f ms" % (1000 * (base or 0)))

        # -- the poisoner: pipelined SAYs, 50 in flight
        h = poisoner.hello("name=poison group=tech :x")
        chat = h["chat"]
        oks = limits = other = 0
        errtext = None
        sent = 0
        worst = 0.0
        t0 = time.time()
        while oks + limits + other < SAYS:
            while sent < SAYS and sent - (oks + limits + other) < 50:
                poisoner.send("@p%d SAY :%s" % (sent, BODY))
                sent += 1
            line = poisoner.readline(10)
            if line is None:
                break
            if not line.startswith("@p"):
                continue
            if " OK seq=" in line:
                oks += 1
            elif " ERR LIMIT " in line:
                limits += 1
                errtext = errtext or line.split(" ", 1)[1]
            else:
                other += 1
            if (oks + limits) % 100 == 0:
                lat = probe(vis, owner, good, 1)
                worst = max(worst, lat if lat is not None else 99)
        took = time.time() - t0
        t.ok(other == 0 and oks + limits == SAYS,
             "%d SAYs of 4,090 newlines answered in %.1f s: %d OK, %d ERR LIMIT" % (SAYS, took, oks, limits))
        t.ok(limits > 0 and errtext and "chat is too long" in errtext,
             "the chat stops growing with ERR LIMIT: %s" % errtext)
        t.ok(oks * 4090 <= 1048576, "at most limits.chat_bytes (1 MiB) was stored (%d messages)" % oks)
        t.ok(worst < LAT_MAX, "meanwhile the good chat: worst %.1f ms" % (1000 * worst))
        poisoner.close()

        # -- an agent opens it: every page, never dropped
        alice.ok("ACCEPT " + chat)
        t0 = time.time()
        final, rows = alice.cmd_all("TRANSCRIPT " + chat, 30)
        took = time.time() - t0
        t.ok(final is not None and final.startswith("OK") and len(rows) == oks + 1,
             "TRANSCRIPT page by page: all %d messages in %.2f s" % (len(rows), took), final)
        f, _ = alice.cmd("PING")
        t.eq(f, "OK PONG", "the agent was not dropped")

        # -- a greedy reader: 20 pages of 1000 asked at once, read later
        n = 20
        alice.send_raw("".join("@g%d TRANSCRIPT %s limit=1000\n" % (i, chat) for i in range(n)))
        lat = probe(vis, owner, good, 10)   # alice reads nothing meanwhile
        t.ok(lat is not None and lat < LAT_MAX,
             "while alice's pages wait: worst latency %.1f ms" % (1000 * (lat or 0)))
        done = alice.count_replies("g", n, 60, " OK ")
        t.eq(done, n, "20 big pages asked at once without reading: all answered, none dropped")
        f, _ = alice.cmd("PING")
        t.eq(f, "OK PONG", "the greedy agent is still connected")
        lat = probe(vis, owner, good, 10)
        t.ok(lat is not None and lat < LAT_MAX, "afterwards: worst latency %.1f ms" % (1000 * (lat or 0)))
        t.ok(srv.alive(), "kefud is alive")
    finally:
        srv.cleanup()
    t.done()


main()
