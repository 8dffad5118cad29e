"""A visitor's connection comes and goes: the agent sees * LEFT, HELLO with
the token within visitor.resume_timeout gives the same chat back
(resumed=1) with the transcript replayed, the agent sees * BACK; after the
timeout the chat ends (by=timeout) and the token starts a new chat."""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
RESUME = 6      # visitor.resume_timeout: long enough that the resumes below
                # come well within it on a busy machine, short enough to wait
srv = Server(extra={"visitor": {"resume_timeout": RESUME}}).start()
try:
    a = srv.client(); a.login("alice")
    v = srv.client()
    h = v.hello("name=Wang group=tech :where is my parcel")
    chat, token = h["chat"], h["token"]
    a.ok("ACCEPT " + chat)
    a.ok("MSG %s :Which order number?" % chat)
    v.ok("SAY :12345")
    a.ok("NOTE %s :check the warehouse" % chat)
    a.ok("MSG %s :It ships today\\nTracking follows" % chat)
    _, rows = a.cmd("TRANSCRIPT " + chat)
    visible = [(r.split()[0], text(r)) for r in rows if kv(r).get("kind") != "note"]

    # -- the visitor goes away
    v.close()
    left = a.expect_event("LEFT " + chat, 30)
    t.ok(left is not None, "the agent gets * LEFT when the visitor's connection drops", left)
    _, crows = a.cmd("CHATS")
    t.ok(any(r.startswith(chat + " ") and "left=1" in r for r in crows), "CHATS marks the chat left=1", crows)

    # -- and comes back with the token
    v2 = srv.client()
    final, _ = v2.cmd("HELLO token=%s name=Wang" % token)
    f = kv(final)
    t.ok(final.startswith("OK ") and f.get("chat") == chat and f.get("visitor") == h["visitor"]
         and f.get("resumed") == "1" and f.get("token") == token,
         "HELLO token=...: same visitor, same chat, resumed=1", final)
    replay = []
    while True:
        e = v2.expect_event("MSG " + chat, 3)
        if e is None:
            break
        replay.append((e.split()[2], text(e)))
    t.eq(replay, visible, "the transcript is replayed as * MSG, in order, without the note")
    back = a.expect_event("BACK " + chat, 30)
    t.ok(back is not None, "the agent gets * BACK", back)
    a.ok("MSG %s :welcome back" % chat)
    m = v2.expect_event("MSG " + chat)
    t.eq(text(m), "welcome back", "the resumed visitor receives new messages")
    final, _ = v2.cmd("SAY :thanks")
    t.ok(final.startswith("OK seq="), "the resumed visitor can talk", final)
    m = a.expect_event("MSG %s %s" % (chat, kv(final)["seq"]))
    t.eq(text(m), "thanks", "the agent gets it")

    # -- resuming from a second connection kicks the first
    v3 = srv.client()
    final, _ = v3.cmd("HELLO token=" + token)
    t.ok(kv(final).get("resumed") == "1" and kv(final).get("chat") == chat, "a second resume takes the chat", final)
    t.ok(v2.expect_event("KICKED", 30) is not None, "the older visitor connection gets * KICKED")
    v2.close()

    # -- a token nobody issued starts a fresh chat
    z = srv.client()
    zh = z.hello("token=%s group=tech :hi" % ("0" * 32))
    t.ok(zh.get("chat") != chat and "resumed" not in zh and zh.get("token") != "0" * 32,
         "an unknown token gives a new visitor, a new chat and a new token", zh)
    z.ok("END")

    # -- gone for longer than resume_timeout: the chat ends
    v3.close()
    t0 = time.time()
    t.ok(a.expect_event("LEFT " + chat, 30) is not None, "LEFT again")
    en = a.expect_event("ENDED " + chat, 60)
    took = time.time() - t0
    t.ok(en is not None and kv(en).get("by") == "timeout", "after resume_timeout: * ENDED by=timeout", en)
    # not before the timeout (the once-a-second tick may add up to a second;
    # a busy machine more, which is why there is no upper bound here)
    t.ok(took >= RESUME - 0.5, "it ended no earlier than resume_timeout (%d s): %.1f s"
         % (RESUME, took))
    _, crows = a.cmd("CHATS")
    t.ok(any(r.startswith(chat + " ") and "state=ended" in r for r in crows),
         "the agent's CHATS shows it ended (waiting for wrap-up)", crows)
    final, _ = a.cmd("MSG %s :hello?" % chat)
    t.ok(final.startswith("ERR STATE"), "the agent can no longer write in it", final)
    final, _ = a.cmd("STATUS")
    t.ok("chats=0" in final, "the ended chat no longer counts against alice's limit", final)
    v4 = srv.client()
    final, _ = v4.cmd("HELLO token=%s group=tech :me again" % token)
    f = kv(final)
    t.ok(final.startswith("OK ") and f.get("chat") != chat and "resumed" not in f,
         "the token after the timeout starts a new chat", final)
    t.eq(f.get("visitor"), h["visitor"], "... for the same visitor")
    _, hrows = a.cmd("HISTORY " + h["visitor"])
    t.ok(any(r.startswith(chat + " ") for r in hrows) and len(hrows) == 2,
         "HISTORY shows both chats of the visitor", hrows)
    a.ok("WRAPUP %s shipping :answered" % chat)
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
