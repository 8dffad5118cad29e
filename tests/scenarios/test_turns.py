"""Turns: a client that pipelines thousands of requests is served a turn at
a time (up to 64 lines, or 16 kB of replies), so another client's request
that is waiting at the same moment comes after one turn, not after all of
them. To make "at the same moment" exact, kefud is stopped (SIGSTOP) while
both write, then continued: both inputs are waiting when it wakes. The
chat's seq numbers tell the order in which kefud served the two."""
import os, signal, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv

N = 2000

t = Tap()
srv = Server({"limits": {"msg_rate": 100000, "msg_burst": 100000}}).start()
try:
    a, v, chat = srv.served_chat(name="pipeliner", question="many lines")

    os.kill(srv.proc.pid, signal.SIGSTOP)
    try:
        v.send_raw("".join("@s%d SAY :line %d\n" % (i, i) for i in range(N)))
        a.send("@mine MSG %s :the agent's turn" % chat)
    finally:
        os.kill(srv.proc.pid, signal.SIGCONT)
    final = None
    while final is None:
        l = a.readline(60)
        if l is None:
            break
        if l.startswith("@mine "):
            final = l[len("@mine "):]
    seq = int(kv(final).get("seq", "0")) if final else 0
    t.ok(final is not None and final.startswith("OK"), "the agent's MSG is stored", final)
    t.ok(0 < seq < N // 4, "it was served after a turn of the visitor's %d SAYs, "
         "not after all of them (seq=%d)" % (N, seq))
    oks = v.count_replies("s", N, 600, " OK seq=", gap=60)
    t.eq(oks, N, "and every one of the visitor's SAYs was answered")
    final, rows = a.cmd_all("TRANSCRIPT " + chat, 60)
    t.eq(len([r for r in rows if ":line " in r]), N, "all of them are stored")
finally:
    srv.cleanup()
t.done()
