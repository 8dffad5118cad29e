"""Nothing acknowledged is lost. A clean restart (SIGTERM) keeps accounts,
history, transcripts, queued and assigned chats (the agent gets the chat
back on login with * ASSIGN by=resume, the visitor with the token). A
kill -9 while messages are flowing loses no message that got its OK, and
the transcript keeps their order."""
import os, signal, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server().start()
try:
    adm = srv.client(); adm.login("admin")
    adm.ok("USERADD dave agent groups=tech display=Dave :dave-secret-1")
    adm.ok("STATUS away")           # keep the admin out of routing
    a = srv.client(); a.login("alice")

    # a finished chat with wrap-up and rating
    v1 = srv.client()
    h1 = v1.hello("name=Done group=tech :old question")
    a.ok("ACCEPT " + h1["chat"])
    a.ok("MSG %s :answer one" % h1["chat"])
    a.ok("END " + h1["chat"])
    v1.ok("RATE 4 :ok")
    a.ok("WRAPUP %s billing :refunded" % h1["chat"])
    _, tr1 = a.cmd_all("TRANSCRIPT " + h1["chat"])
    # a chat still waiting in the queue
    v2 = srv.client()
    h2 = v2.hello("name=Waiting group=tech :still waiting")
    # an active chat
    v3 = srv.client()
    h3 = v3.hello("name=Active group=tech :active question")
    a.ok("ACCEPT " + h3["chat"])
    a.ok("MSG %s :我来帮您" % h3["chat"])
    v3.ok("SAY :谢谢")
    _, tr3 = a.cmd_all("TRANSCRIPT " + h3["chat"])

    # -- clean stop
    os.kill(srv.proc.pid, signal.SIGTERM)
    sd = a.expect_event("SHUTDOWN", 30)
    t.ok(sd is not None, "SIGTERM: connected clients get * SHUTDOWN", sd)
    t.ok(v3.expect_event("SHUTDOWN", 30) is not None, "visitors get it too")
    rc = srv.stop()
    t.eq(rc, 0, "kefud exits with status 0 after SIGTERM")
    srv.start()

    d = srv.client()
    final, _ = d.cmd("LOGIN dave :dave-secret-1")
    t.ok(final.startswith("OK name=dave") and "display=Dave" in final, "an account made over the protocol survives", final)
    a = srv.client()
    final, _ = a.cmd("LOGIN alice :alice123")
    t.ok(final.startswith("OK name=alice"), "alice logs in after the restart", final)
    e = a.expect_event("ASSIGN " + h3["chat"], 30)
    t.ok(e is not None and kv(e).get("by") == "resume", "alice gets her active chat back: ASSIGN by=resume", e)
    t.ok(e is not None and kv(e).get("left") == "1", "... marked left=1 until the visitor returns", e)
    _, q = a.cmd("QUEUE")
    t.eq([r.split()[0] for r in q], [h2["chat"]], "the waiting chat is still queued")
    t.ok(q and text(q[0]) == "still waiting", "with its question", q)
    _, rows = a.cmd_all("TRANSCRIPT " + h1["chat"])
    t.eq(rows, tr1, "the finished chat's transcript is unchanged")
    _, rows = a.cmd_all("TRANSCRIPT " + h3["chat"])
    t.eq(rows, tr3, "the active chat's transcript is unchanged")
    _, rows = a.cmd("HISTORY " + h1["visitor"])
    t.ok(len(rows) == 1 and "category=billing" in rows[0] and "rating=4" in rows[0] and text(rows[0]) == "refunded",
         "history keeps wrap-up and rating", rows)
    _, rows = a.cmd("SEARCH :谢谢")
    t.ok(any(r.startswith(h3["chat"] + " ") for r in rows), "search still finds messages", rows)
    v3 = srv.client()
    final, _ = v3.cmd("HELLO token=" + h3["token"])
    t.ok(kv(final).get("chat") == h3["chat"] and kv(final).get("resumed") == "1",
         "the visitor resumes the chat with the token after the restart", final)
    t.ok(a.expect_event("BACK " + h3["chat"], 30) is not None, "alice sees * BACK")
    final, _ = a.cmd("MSG %s :still here" % h3["chat"])
    seq = int(kv(final).get("seq", 0))
    t.eq(seq, len(tr3) + 1, "message numbering continues after the restart")
    m = v3.expect_event("MSG %s %d" % (h3["chat"], seq), 30)
    t.eq(text(m), "still here", "the visitor gets the new message")

    # -- kill -9 in the middle of a message stream
    chat = h3["chat"]
    sent = [0]

    def writer():
        # keeps sending until the server dies under it
        try:
            for i in range(0, 20000, 10):
                a.send_raw("".join("@k%d MSG %s :burst %d\n" % (j, chat, j) for j in range(i, i + 10)))
                sent[0] = i + 10
                time.sleep(0.0005)
        except OSError:
            pass

    th = threading.Thread(target=writer, daemon=True)
    th.start()
    acked = {}
    killed = False
    while True:
        l = a.readline(3)
        if l is None:
            break
        if l.startswith("@k") and " OK seq=" in l:
            i = int(l.split()[0][2:])
            acked[i] = int(l.split("seq=")[1])
            if len(acked) >= 300 and not killed:
                os.kill(srv.proc.pid, signal.SIGKILL)
                killed = True
    th.join(5)
    srv.kill9()
    t.ok(killed and len(acked) >= 300 and sent[0] > len(acked),
         "kill -9 mid-stream: %d messages sent, %d got OK" % (sent[0], len(acked)))
    srv.start()
    a = srv.client(); a.login("alice")
    _, rows = a.cmd_all("TRANSCRIPT " + chat)
    stored = {text(r): int(r.split()[0]) for r in rows}
    missing = [i for i in acked if stored.get("burst %d" % i) != acked[i]]
    t.ok(not missing, "every acknowledged message is in the transcript with its seq (%d stored)" % len(rows),
         "missing: %r" % missing[:10])
    seqs = [int(r.split()[0]) for r in rows]
    t.eq(seqs, list(range(1, len(seqs) + 1)), "the transcript has no holes")
    bursts = [int(text(r).split()[1]) for r in rows if (text(r) or "").startswith("burst ")]
    t.eq(bursts, list(range(len(bursts))), "the burst messages are stored in the order they were sent")
    final, _ = a.cmd("MSG %s :after the crash" % chat)
    t.eq(int(kv(final).get("seq", 0)), len(rows) + 1, "the next message gets the next seq")
    t.ok(srv.alive(), "kefud is running after the crash restart")
finally:
    srv.cleanup()
t.done()
