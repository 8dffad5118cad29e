"""WAL checkpoints run in a helper process (kefud --checkpointer): it is
there, it keeps the WAL from growing while messages stream in, and when it
is killed kefud goes on, checkpointing inline, with nothing lost."""
import os, signal, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, child_pids, kv

WAL_MAX = 24 << 20      # checkpoints start at 4,000 frames (16 MB); without
                        # them 10,000 commits pass 40 MB


def stream(v, n, tag):
    seqs = []
    for i in range(n):
        final, _ = v.cmd("SAY :%s %d" % (tag, i))
        if not final or not final.startswith("OK seq="):
            break
        seqs.append(int(kv(final)["seq"]))
    return seqs


t = Tap()
srv = Server({"limits": {"msg_rate": 100000, "msg_burst": 100000},
              "store": {"commit_interval_us": 0}}).start()
try:
    deadline = time.time() + 10      # it is started by fork + exec
    pids = child_pids(srv.proc.pid, "--checkpointer")
    while not pids and time.time() < deadline:
        time.sleep(0.05)
        pids = child_pids(srv.proc.pid, "--checkpointer")
    t.eq(len(pids), 1, "kefud started one checkpoint helper")
    v = srv.client()
    h = v.hello("name=ckpt :many messages")
    wal = srv.db + "-wal"

    seqs = stream(v, 10000, "a")
    t.eq(len(seqs), 10000, "10,000 messages acknowledged, one commit each")
    size = os.path.getsize(wal)
    t.ok(size < WAL_MAX, "the WAL stays small: %.1f MB" % (size / 1048576.0))

    if pids:
        os.kill(pids[0], signal.SIGKILL)
    time.sleep(0.2)
    more = stream(v, 6000, "b")
    t.eq(len(more), 6000, "with the helper killed, 6,000 more acknowledged")
    t.ok(srv.alive() and "checkpoint helper gone" in srv.log(),
         "kefud noticed and checkpoints inline")
    size = os.path.getsize(wal)
    t.ok(size < WAL_MAX, "the WAL still stays small: %.1f MB" % (size / 1048576.0))

    a = srv.client()
    a.login("admin")
    final, rows = a.cmd("TRANSCRIPT " + h["chat"])
    got = [r.split(" :", 1)[1] for r in rows if " :" in r]
    want = ["a %d" % i for i in range(10000)] + ["b %d" % i for i in range(6000)]
    t.ok([g for g in got if g[:2] in ("a ", "b ")] == want,
         "the transcript has all 16,000, in order")
finally:
    srv.cleanup()
t.done()
