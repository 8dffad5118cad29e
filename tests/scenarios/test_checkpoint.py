"""WAL checkpoints run in a helper process (kefud --checkpointer): it is
there and reports checkpoints while messages stream in; however slow it is
(a sanitizer build, a busy machine; here: stopped with SIGSTOP) the WAL
never passes store.wal_max_frames plus one commit, because at that size the
loop waits for the helper and finishes the checkpoint itself; when the
helper is killed kefud goes on, checkpointing inline, with nothing lost.

The bound is a count of frames, set small here, so the check does not
depend on how fast anything runs."""
import os, signal, struct, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, child_pids, kv

CKPT = 300              # store.checkpoint_frames
WAL_MAX = 1200          # store.wal_max_frames
SLACK = 64              # frames one commit (one SAY) can add past the bound


def stream(v, n, tag):
    seqs = []
    for i in range(n):
        final, _ = v.cmd("SAY :%s %d" % (tag, i), 30)
        if not final or not final.startswith("OK seq="):
            break
        seqs.append(int(kv(final)["seq"]))
    return seqs


def wal_frames(path):
    """Frames the WAL file has room for (its size is its high-water mark)."""
    with open(path, "rb") as f:
        hdr = f.read(32)
    page = struct.unpack(">I", hdr[8:12])[0]
    return (os.path.getsize(path) - 32) // (24 + page)


t = Tap()
srv = Server({"limits": {"msg_rate": 100000, "msg_burst": 100000, "chat_messages": 0},
              "store": {"commit_interval_us": 0, "checkpoint_frames": CKPT,
                        "wal_max_frames": WAL_MAX}}).start()
try:
    deadline = time.time() + 30      # it is started by fork + exec
    pids = child_pids(srv.proc.pid, "--checkpointer")
    while not pids and time.time() < deadline:
        time.sleep(0.05)
        pids = child_pids(srv.proc.pid, "--checkpointer")
    t.eq(len(pids), 1, "kefud started one checkpoint helper")
    v = srv.client()
    h = v.hello("name=ckpt :many messages")
    wal = srv.db + "-wal"

    seqs = stream(v, 6000, "a")
    t.eq(len(seqs), 6000, "6,000 messages acknowledged, one commit each")
    reports = srv.log().count("checkpoint helper copied")
    t.ok(reports > 0, "the helper reported %d checkpoints" % reports)
    frames = wal_frames(wal)
    t.ok(frames <= WAL_MAX + SLACK, "the WAL never passed %d frames (+ one commit): "
         "at most %d" % (WAL_MAX, frames))
    t.ok(frames >= CKPT, "and it did grow to the checkpoint size (%d frames)" % frames)

    # a helper that cannot keep up: stopped, so the loop reaches the bound
    stalled = []
    th = threading.Thread(target=lambda: stalled.extend(stream(v, 3000, "s")))
    if pids:
        os.kill(pids[0], signal.SIGSTOP)
    th.start()
    deadline = time.time() + 60
    while "waiting for the checkpoint helper" not in srv.log() and \
            th.is_alive() and time.time() < deadline:
        time.sleep(0.05)
    t.ok("waiting for the checkpoint helper" in srv.log(),
         "with the helper stopped, the loop waits for it at the bound")
    if pids:
        os.kill(pids[0], signal.SIGCONT)
    th.join(120)
    t.eq(len(stalled), 3000, "3,000 messages acknowledged meanwhile")
    frames = wal_frames(wal)
    t.ok(frames <= WAL_MAX + SLACK, "a stalled helper still leaves the WAL at most "
         "%d frames (+ one commit): %d" % (WAL_MAX, frames))

    if pids:
        os.kill(pids[0], signal.SIGKILL)
    more = stream(v, 4000, "b")
    t.eq(len(more), 4000, "with the helper killed, 4,000 more acknowledged")
    t.ok(srv.alive() and "checkpoint helper gone" in srv.log(),
         "kefud noticed and checkpoints inline")
    frames = wal_frames(wal)
    t.ok(frames <= WAL_MAX + SLACK, "the WAL still never passed %d frames: at most %d"
         % (WAL_MAX, frames))

    a = srv.client()
    a.login("admin")
    final, rows = a.cmd_all("TRANSCRIPT " + h["chat"], 30)
    got = [r.split(" :", 1)[1] for r in rows if " :" in r]
    want = ["a %d" % i for i in range(6000)] + ["s %d" % i for i in range(3000)] + \
        ["b %d" % i for i in range(4000)]
    t.ok([g for g in got if g[:2] in ("a ", "s ", "b ")] == want,
         "the transcript has all 13,000, in order")
finally:
    srv.cleanup()
t.done()
