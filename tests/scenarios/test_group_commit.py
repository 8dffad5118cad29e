"""Group commit (store.commit_interval_us): a write after a quiet spell is
answered at once; writes that follow it closely wait for one shared commit,
and their replies wait with them; a client that half-closes right after its
request still gets the reply; a transcript read sees every message."""
import os, socket, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, raw_recv

INTERVAL = 1.0          # seconds; the longest the setting allows: long, so
                        # that "at once" and "one interval later" differ by
                        # far more than a busy machine's scheduling delays

t = Tap()
srv = Server({"store": {"commit_interval_us": int(INTERVAL * 1e6)},
              "limits": {"msg_rate": 1000, "msg_burst": 1000}}).start()
try:
    a = srv.client()
    a.login("alice")
    v = srv.client()
    h = v.hello("name=gc group=tech :group commit")
    chat = h["chat"]
    final, _ = a.cmd("ACCEPT " + chat)
    t.ok(final.startswith("OK"), "agent accepts the chat", final)

    time.sleep(2 * INTERVAL)
    t0 = time.time()
    final, _ = v.cmd("SAY :after a quiet spell")
    lone = time.time() - t0
    t.ok(final.startswith("OK seq=") and lone < INTERVAL / 2,
         "a lone SAY after a quiet spell is answered at once (%.1f ms)" % (lone * 1000))

    # a burst right behind it: the first commits at once, the rest share
    # the next commit, about one interval later
    v.events.clear()
    t0 = time.time()
    for i in range(10):
        v.send("SAY :burst %d" % i)
    oks = []
    while len(oks) < 10:
        line = v.readline(30)
        if line is None:
            break
        if line.startswith("OK"):
            oks.append((time.time() - t0, int(kv(line)["seq"])))
    t.eq(len(oks), 10, "all 10 SAYs of the burst acknowledged")
    t.eq([s for _, s in oks], sorted(s for _, s in oks), "in order")
    t.ok(oks and oks[-1][0] < 3 * INTERVAL + 0.5,
         "the burst is answered within a few intervals (%.0f ms)" % (1000 * oks[-1][0]))
    got = []
    while len(got) < 10:
        m = a.expect_event("MSG " + chat, 30)
        if m is None:
            break
        got.append(m)
    t.eq(len(got), 10, "the agent gets all 10 events")

    # a write right behind another, then end of input at once: the reply
    # waits for its commit, and must still arrive before the close
    s = socket.create_connection(("127.0.0.1", srv.port), 30)
    s.settimeout(30)
    s.sendall(b"HELLO name=halfclose group=tech :first\n")
    time.sleep(0.01)
    s.sendall(b"SAY :second, then EOF\n")
    s.shutdown(socket.SHUT_WR)
    buf = raw_recv(s)
    s.close()
    t.ok(b"OK visitor=" in buf and b"OK seq=" in buf,
         "half-closed right after a deferred write: both replies arrive", buf[:300])

    # transcripts: every message, in order, for the agent
    final, rows = a.cmd("TRANSCRIPT " + chat)
    bodies = [r.split(" :", 1)[1] for r in rows if "burst" in r]
    t.eq(bodies, ["burst %d" % i for i in range(10)],
         "TRANSCRIPT has the 10 burst messages in order")
    t.ok(srv.alive(), "kefud still running")
finally:
    srv.cleanup()
t.done()
