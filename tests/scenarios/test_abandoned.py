"""Abandoned chats end (issue 9 defect 1): a queued visitor who asked a
question and closed the socket, a served chat whose agent and visitor both
dropped (back to the queue first), and such a chat loaded at a restart all
end after visitor.resume_timeout: * QDEL to the group's agents, * ENDED
by=timeout to whoever watches the chat, and the visitors behind move up."""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

RESUME = 2
t = Tap()
srv = Server(extra={"visitor": {"resume_timeout": RESUME},
                    "routing": {"agent_grace": 1}}).start()


def queue_ids(c, group="tech"):
    _, rows = c.cmd("QUEUE " + group)
    return [r.split()[0] for r in rows]


def wait_gone(c, chat, limit=15):
    """Poll QUEUE until chat is no longer listed; seconds taken or None."""
    t0 = time.time()
    while time.time() - t0 < limit:
        if chat not in queue_ids(c):
            return time.time() - t0
        time.sleep(0.2)
    return None


try:
    a = srv.client(); a.login("alice")
    sup = srv.client(); sup.login("carol")

    # -- a queued visitor with a question closes the socket
    v1 = srv.client()
    h1 = v1.hello("name=Gone group=tech :where is my parcel?")
    v2 = srv.client()
    h2 = v2.hello("name=Stays group=tech :second in line")
    q = v2.expect_event("QUEUED " + h2["chat"], 3)
    t.eq(kv(q).get("pos"), "2", "the second visitor waits at pos=2")
    sup.ok("MONITOR " + h1["chat"])
    t0 = time.time()
    v1.close()
    qdel = a.expect_event("QDEL " + h1["chat"], RESUME + 10)
    took = time.time() - t0
    t.ok(qdel is not None, "after resume_timeout the abandoned chat leaves the queue: * QDEL", qdel)
    t.ok(qdel is not None and took >= RESUME - 0.5,
         "... not before resume_timeout (%.1f s)" % took)
    en = sup.expect_event("ENDED " + h1["chat"], 3)
    t.ok(en is not None and kv(en).get("by") == "timeout",
         "the chat ends: * ENDED by=timeout to the supervisor watching it", en)
    q = v2.expect_event("QUEUED " + h2["chat"] + " pos=1", 5)
    t.ok(q is not None, "the visitor behind moves up: * QUEUED pos=1", q)
    t.eq(queue_ids(a), [h2["chat"]], "QUEUE lists only the visitor still here")
    _, rows = a.cmd("HISTORY " + h1["visitor"])
    t.ok(len(rows) == 1 and "state=ended" in rows[0], "HISTORY shows the chat ended", rows)
    v1b = srv.client()
    f = v1b.hello("token=%s group=tech :me again" % h1["token"])
    t.ok(f.get("chat") != h1["chat"] and "resumed" not in f,
         "the token after the timeout starts a new chat", f)
    v1b.ok("END")

    # -- a visitor who said more than the question and left: ends too
    v3 = srv.client()
    h3 = v3.hello("name=Msg group=tech :question")
    v3.ok("SAY :please call me back")
    v3.close()
    t.ok(a.expect_event("QDEL " + h3["chat"], RESUME + 10) is not None,
         "a chat with a message from the visitor also leaves the live queue")
    t.ok(h3["chat"] not in queue_ids(a), "... and is not listed by QUEUE")
    _, rows = a.cmd("TRANSCRIPT " + h3["chat"])
    t.ok(any(text(r) == "please call me back" for r in rows),
         "its transcript keeps what the visitor wrote", rows)

    # -- served chat, agent and visitor both drop: requeued, then it expires
    b = srv.client(); b.login("bob")
    a.ok("ACCEPT " + h2["chat"])
    a.ok("MSG %s :hello, looking" % h2["chat"])
    t.ok(b.expect_event("QDEL " + h2["chat"], 3) is not None, "bob sees alice accept it")
    sup.ok("MONITOR " + h2["chat"])
    a.close()
    v2.close()
    qadd = b.expect_event("QADD " + h2["chat"], RESUME + 10)
    qdel = b.expect_event("QDEL " + h2["chat"], RESUME + 10)
    t.ok(qadd is not None and qdel is not None,
         "both dropped: the chat goes back to the queue (* QADD), then expires (* QDEL)", (qadd, qdel))
    en = sup.expect_event("ENDED " + h2["chat"], 3)
    t.ok(en is not None and kv(en).get("by") == "timeout", "* ENDED by=timeout", en)
    t.eq(wait_gone(b, h2["chat"], 3) is not None, True, "QUEUE no longer lists it")

    # -- restart: an abandoned chat loaded at start expires too
    v4 = srv.client()
    h4 = v4.hello("name=Restart group=tech :before the restart")
    v4.close()
    srv.stop()
    srv.start()
    b = srv.client(); b.login("bob")
    took = wait_gone(b, h4["chat"], RESUME + 15)
    t.ok(took is not None, "after a restart the abandoned chat expires too (%s s)" %
         (None if took is None else "%.1f" % took))
    _, rows = b.cmd("HISTORY " + h4["visitor"])
    t.ok(len(rows) == 1 and "state=ended" in rows[0], "HISTORY shows it ended", rows)
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
