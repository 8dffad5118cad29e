"""Poison transcripts (issue 15 item 2): limits.chat_messages and
limits.chat_bytes stop a chat from growing (ERR LIMIT chat is too long, for
the visitor and the agent alike), the limits hold across a restart, and a
client is never dropped for the size of its own reply: a visitor resuming
a chat whose transcript is larger than limits.outbuf_max gets all of it,
and an agent gets it page by page."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server(extra={"limits": {"chat_messages": 20, "chat_bytes": 5000,
                               "msg_rate": 1000, "msg_burst": 1000}}).start()
try:
    a = srv.client(); a.login("alice")
    # -- the message count
    v = srv.client()
    h = v.hello("name=Count group=tech :q")
    a.ok("ACCEPT " + h["chat"])
    seqs = [kv(v.ok("SAY :m%d" % i)[0])["seq"] for i in range(18)]
    t.eq(seqs[-1], "19", "19 messages (the question and 18 SAYs)")
    final, _ = a.cmd("MSG %s :the twentieth" % h["chat"])
    t.eq(final, "OK seq=20", "the twentieth (the agent's) fits")
    final, _ = v.cmd("SAY :one more")
    t.ok(final is not None and final.startswith("ERR LIMIT chat is too long (at most 20 messages"),
         "the 21st from the visitor: ERR LIMIT chat is too long", final)
    final, _ = a.cmd("NOTE %s :a note" % h["chat"])
    t.ok(final is not None and final.startswith("ERR LIMIT chat is too long"),
         "... and from the agent (a note too)", final)
    _, rows = a.cmd("TRANSCRIPT " + h["chat"])
    t.eq(len(rows), 20, "the transcript holds 20 messages")

    # -- the bytes
    w = srv.client()
    hb = w.hello("name=Bytes group=tech :q")
    w.ok("SAY :" + "x" * 4000)
    final, _ = w.cmd("SAY :" + "y" * 1000)
    t.ok(final is not None and final.startswith("ERR LIMIT chat is too long") and "5000 bytes" in final,
         "1 + 4000 + 1000 bytes is over 5000: ERR LIMIT naming the limit", final)
    final, _ = w.cmd("SAY :" + "y" * 999)
    t.ok(final is not None and final.startswith("OK seq="), "999 more still fit (5000 exactly)", final)

    # -- after a restart both chats are still full
    srv.stop()
    srv.start()
    v = srv.client()
    f = v.hello("token=" + h["token"])
    t.eq(f.get("resumed"), "1", "the first visitor resumes after the restart")
    final, _ = v.cmd("SAY :after the restart")
    t.ok(final is not None and final.startswith("ERR LIMIT"), "its chat is still full (messages)", final)
    w = srv.client()
    f = w.hello("token=" + hb["token"])
    t.eq(f.get("resumed"), "1", "the second visitor resumes")
    final, _ = w.cmd("SAY :z")
    t.ok(final is not None and final.startswith("ERR LIMIT"), "its chat is still full (bytes, measured at start)", final)
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()

# ---- replies bigger than the output cap
BODY = "\\n" * 4090          # 8 KB on the wire
srv = Server(extra={"limits": {"outbuf_max": 65536, "chat_bytes": 200000,
                               "msg_rate": 1000, "msg_burst": 1000}}).start()
try:
    a = srv.client(); a.login("alice")
    v = srv.client()
    h = v.hello("name=Long group=tech :q")
    a.ok("ACCEPT " + h["chat"])
    for i in range(13):     # 13 x 8 KB = 104 KB of transcript on the wire
        v.ok("SAY :" + BODY)
    v.close()
    v = srv.client()
    final, _ = v.cmd("HELLO token=" + h["token"])
    t.ok(final is not None and kv(final).get("resumed") == "1", "the visitor resumes", final)
    got = 0
    while True:
        e = v.expect_event("MSG " + h["chat"], 5)
        if e is None:
            break
        got += 1
    t.eq(got, 14, "the replay (104 KB, over the 64 KB cap) arrives whole")
    final, _ = v.cmd("PING")
    t.eq(final, "OK PONG", "the visitor was not dropped for its own reply")
    final, rows = a.cmd("TRANSCRIPT " + h["chat"])
    t.ok(final is not None and "next=" in final and len(rows) < 14,
         "TRANSCRIPT on a 64 KB cap: a page of %d rows with next=" % len(rows), final)
    final, rows = a.cmd_all("TRANSCRIPT " + h["chat"])
    t.eq([r.split()[0] for r in rows], [str(i) for i in range(1, 15)], "the pages hold all 14, in order")
    final, _ = a.cmd("PING")
    t.eq(final, "OK PONG", "the agent was not dropped")
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
