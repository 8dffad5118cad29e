"""Visitor limits and list pages (issue 15 item 1): visitor.per_addr_max
open chats per address (ERR LIMIT), visitor.hello_rate new chats a minute
(ERR FLOOD with the wait), resumes not counted; HELLO field sizes and blank
names; every staff list paged with from=/limit= and cut at an eighth of
limits.outbuf_max, so that a long QUEUE never gets the agent dropped."""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()

# ---- per-address cap and HELLO rate
srv = Server(extra={"visitor": {"hello_rate": 6, "per_addr_max": 4}}).start()
try:
    a = srv.client(); a.login("alice")
    vs = [srv.client() for _ in range(4)]
    hs = [v.hello("name=V%d group=tech :q" % i) for i, v in enumerate(vs)]
    extra = srv.client()
    final, _ = extra.cmd("HELLO name=Fifth group=tech :q")
    t.ok(final is not None and final.startswith("ERR LIMIT ") and "at most 4" in final,
         "a fifth open chat from one address: ERR LIMIT saying the cap", final)
    final, _ = extra.cmd("PING")
    t.ok(final == "OK PONG", "the refused connection stays usable", final)
    vs[0].ok("END")
    f = extra.hello("name=Fifth group=tech :q")
    t.ok("chat" in f, "after one chat ended, the address may open another", f)
    # a resume is no new chat: not counted, not rate limited
    vs[1].close()
    back = srv.client()
    f = back.hello("token=" + hs[1]["token"])
    t.ok(f.get("resumed") == "1", "a resume with the token is not refused at the cap", f)
    # the rate: 6 a minute; 5 used so far (4 + 1), one more may start
    vs[2].ok("END"); vs[3].ok("END"); extra.ok("END")
    six = srv.client()
    f = six.hello("name=Six group=tech :q")
    t.ok("chat" in f, "the sixth new chat within the minute is fine", f)
    seven = srv.client()
    final, _ = seven.cmd("HELLO name=Seven group=tech :q")
    t.ok(final is not None and final.startswith("ERR FLOOD ") and " try again in " in final,
         "the seventh within the minute: ERR FLOOD saying when to retry", final)
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()

# ---- HELLO fields, pages
srv = Server(extra={"limits": {"outbuf_max": 65536, "per_addr_max": 0},
                    "visitor": {"hello_rate": 0, "per_addr_max": 0}}).start()
try:
    a = srv.client(); a.login("alice")
    adm = srv.client(); adm.login("admin")
    cases = [("name", 64), ("email", 254), ("page", 1024), ("referrer", 1024),
             ("lang", 35), ("token", 64)]
    for key, mx in cases:
        v = srv.client()
        final, _ = v.cmd("HELLO %s=%s group=tech" % (key, "x" * (mx + 1)))
        t.ok(final is not None and final.startswith("ERR ARGS %s is longer than %d bytes" % (key, mx)),
             "HELLO %s= of %d bytes: ERR ARGS naming the limit" % (key, mx + 1), final)
        if key != "token":
            f = v.hello("%s=%s group=tech" % (key, "x" * mx))
            t.ok("chat" in f, "HELLO %s= of exactly %d bytes is accepted" % (key, mx), f)
            v.ok("END")
        v.close()
    v = srv.client()
    final, _ = v.cmd("HELLO group=tech :" + "q" * 1025)
    t.ok(final is not None and final.startswith("ERR ARGS question longer than 1024"),
         "a question over 1024 bytes: ERR ARGS", final)
    f = v.hello("name=\\s\\s\\t\\s\\n group=tech :blank name")
    qadd = a.expect_event("QADD " + f["chat"], 3)
    t.ok(qadd is not None and kv(qadd).get("name") == "", "a blank name is no name", qadd)
    v.ok("SAY :hello")
    _, rows = a.cmd("TRANSCRIPT " + f["chat"])
    t.ok(rows and all(kv(r).get("from") == "visitor" for r in rows),
         "... the messages come from 'visitor'", rows)
    v.ok("END")
    v = srv.client()
    f = v.hello("name=\\s\\sAnna\\nLee\\s\\s group=tech :name with a newline")
    qadd = a.expect_event("QADD " + f["chat"], 3)
    t.eq(kv(qadd).get("name"), "Anna Lee", "a name is trimmed, a newline in it becomes a space")
    v.ok("END")

    # -- a queue far longer than an agent's output cap, questions of 1024
    # escaped newlines (2 KB a row on the wire): 40 rows = 80 KB > 64 KB
    visitors = []
    for i in range(40):
        v = srv.client()
        visitors.append(v)
        v.hello("name=Q%d group=tech :%s" % (i, "\\n" * 1024))
    final, rows = a.cmd("QUEUE tech")
    t.ok(final is not None and final.startswith("OK ") and "next=" in final,
         "QUEUE of 40 long rows on a 64 KB cap: one page with next=", final)
    size = sum(len(r) for r in rows)
    t.ok(size <= 65536 // 8 + 4096, "the page is about an eighth of the cap (%d bytes)" % size)
    final, allrows = a.cmd_all("QUEUE tech")
    ids = [r.split()[0] for r in allrows]
    t.eq(len(ids), 40, "following next= gives all 40 chats")
    t.eq(len(set(ids)), 40, "... each once")
    t.eq([kv(r).get("pos") for r in allrows], [str(i) for i in range(1, 41)], "... in queue order")
    final, _ = a.cmd("PING")
    t.eq(final, "OK PONG", "the agent is still connected")

    # -- from= / limit= on QUEUE
    final, r1 = a.cmd("QUEUE tech limit=3")
    t.eq((final, len(r1)), ("OK 3 next=3", 3), "QUEUE limit=3: three rows, next=3")
    final, r2 = a.cmd("QUEUE tech from=3 limit=3")
    t.eq(final, "OK 3 next=6", "from=3 limit=3: the next three, next=6")
    t.eq([kv(r)["pos"] for r in r2], ["4", "5", "6"], "... positions 4-6")
    final, r3 = a.cmd("QUEUE tech from=38 limit=3")
    t.eq((final, len(r3)), ("OK 2", 2), "the last page has no next=")
    final, _ = a.cmd("QUEUE tech from=99")
    t.eq(final, "OK 0", "from= past the end: OK 0")
    for bad in ("limit=0", "limit=501", "from=-1", "from=x", "limit=3 extra"):
        final, _ = a.cmd("QUEUE tech " + bad)
        t.ok(final is not None and final.startswith("ERR ARGS"), "QUEUE tech %s: ERR ARGS" % bad, final)
    for v in visitors:
        v.ok("END")

    # -- TRANSCRIPT by message number
    v = srv.client()
    h = v.hello("name=T group=tech :m1")
    for i in range(2, 11):
        v.ok("SAY :m%d" % i)
    final, rows = a.cmd("TRANSCRIPT %s limit=4" % h["chat"])
    t.eq((final, [r.split()[0] for r in rows]), ("OK 4 next=5", ["1", "2", "3", "4"]),
         "TRANSCRIPT limit=4: seq 1-4, next=5")
    final, rows = a.cmd("TRANSCRIPT %s from=5 limit=4" % h["chat"])
    t.eq((final, [r.split()[0] for r in rows]), ("OK 4 next=9", ["5", "6", "7", "8"]),
         "from=5 limit=4: seq 5-8, next=9")
    final, rows = a.cmd("TRANSCRIPT %s from=9" % h["chat"])
    t.eq((final, [text(r) for r in rows]), ("OK 2", ["m9", "m10"]), "from=9: the rest, no next=")
    final, _ = a.cmd("TRANSCRIPT %s limit=1001" % h["chat"])
    t.ok(final.startswith("ERR ARGS"), "TRANSCRIPT limit= above 1000: ERR ARGS", final)

    # -- every other list takes from=/limit= and says next=
    a.ok("ACCEPT " + h["chat"])
    v.ok("PAGE https://example.com/a :A")
    v.ok("PAGE https://example.com/b :B")
    for line, who in (("AGENTS limit=1", a), ("GROUPS limit=1", a),
                      ("REPLIES limit=1", a), ("SEARCH limit=1 :m", a),
                      ("VISITOR %s limit=3" % h["visitor"], a),
                      ("AUDIT limit=1", adm), ("AUDIT 1", adm)):
        final, rows = who.cmd(line)
        t.ok(final is not None and len(rows) == 1 + 2 * line.startswith("VISITOR") and
             kv(final).get("next") == str(1 + 2 * line.startswith("VISITOR")),
             "%s: one page and next=" % line, (final, rows))
        final2, rest = who.cmd_all(line)
        t.ok(final2 is not None and final2.startswith("OK") and len(rest) > len(rows),
             "%s: following next= gives the rest (%d rows)" % (line, len(rest)), final2)
    final, rows = a.cmd_all("VISITOR %s limit=2" % h["visitor"])
    t.ok(sum(1 for r in rows if r.startswith("page ")) == 2 and len(rows) >= 14,
         "VISITOR pages: card and page trail complete", rows)
    final, rows = a.cmd("CHATS limit=1")
    t.ok(final == "OK 1" and len(rows) == 1, "CHATS limit=1 with one chat: no next=", final)
    final, rows = a.cmd("HISTORY %s limit=1" % h["visitor"])
    t.ok(final == "OK 1" and len(rows) == 1, "HISTORY limit=1", final)
    adm.ok("KEYADD bob :ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl one")
    adm.ok("KEYADD bob :ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBvNf5t1P5pr1lS8AIg9fQ1zB7XJcXdc8lG3t2Fi6Aqk two")
    final, rows = adm.cmd("KEYS bob limit=1")
    t.ok(final == "OK 1 next=1" and text(rows[0]) == "one", "KEYS limit=1", (final, rows))
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
