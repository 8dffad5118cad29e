"""History search with filters (FIND, issue 14): words through the FTS5
trigram index (Chinese by substring), words under three characters by
substring tests, filters (visitor, agent, group, date range, rating,
wrap-up category), pages like the other lists; visibility by the rule
TRANSCRIPT follows, for each role: an agent finds only the chats of their
groups and chats they owned, with their notes and whispers; supervisors
and admins find all. Hostile queries (FTS5 syntax characters) are plain
text: never an SQL error, never a crash."""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
USERS = [
    {"name": "ann", "role": "agent", "password": "ann12345", "display": "Ann",
     "groups": "sales", "max_chats": 5},
    {"name": "tom", "role": "agent", "password": "tom12345", "display": "Tom",
     "groups": "tech", "max_chats": 5},
    {"name": "sue", "role": "supervisor", "password": "sue12345", "display": "Sue",
     "groups": "", "max_chats": 5},
    {"name": "admin", "role": "admin", "password": "admin123", "display": "Admin",
     "groups": "", "max_chats": 5},
]
GROUPS = [{"name": "sales", "mode": "manual"}, {"name": "tech", "mode": "manual"}]
srv = Server({"users": USERS, "groups": GROUPS,
              "visitor": {"resume_timeout": 300, "per_addr_max": 0, "hello_rate": 0}})


def login(name, pw):
    c = srv.client()
    c.ok("LOGIN %s :%s" % (name, pw))
    return c


def find(c, args):
    """All pages of FIND args: (final of the last page, chat ids in order, rows)."""
    ids, rows, frm = [], [], 0
    while True:
        final, got = c.cmd("FIND from=%d %s" % (frm, args) if frm else "FIND " + args)
        if final is None or not final.startswith("OK"):
            return final, ids, rows
        rows += got
        ids += [r.split()[0] for r in got]
        nxt = kv(final).get("next")
        if not nxt:
            return final, ids, rows
        frm = int(nxt)


def chat(v, agent, group, question, name="V"):
    h = v.hello("name=%s group=%s :%s" % (name, group, question))
    agent.ok("ACCEPT " + h["chat"])
    return h


try:
    srv.start()
    ann = login("ann", "ann12345"); tom = login("tom", "tom12345")
    sue = login("sue", "sue12345"); adm = login("admin", "admin123")

    v1 = srv.client()
    h1 = chat(v1, ann, "sales", "我的订单号是多少", "张三")
    c1 = h1["chat"]
    ann.ok("MSG %s :您的订单号是 A-12345" % c1)
    ann.ok("NOTE %s :内部备注 refund-secret" % c1)
    ann.ok("END " + c1)
    ann.ok("WRAPUP %s billing :refunded" % c1)
    v1.ok("RATE 2")

    v2 = srv.client()
    h2 = chat(v2, tom, "tech", "printer on fire", "Bob")
    c2 = h2["chat"]
    tom.ok("MSG %s :turn it off" % c2)
    sue.ok("WHISPER %s :whisper-secret escalate" % c2)
    tom.ok("END " + c2)
    tom.ok("WRAPUP %s shipping :ok" % c2)
    v2.ok("RATE 5")

    v3 = srv.client()
    h3 = chat(v3, tom, "tech", 'quote "hello" * NEAR(x', "Eve")
    c3 = h3["chat"]
    tom.ok("MSG %s :订单 ok" % c3)

    v1.ok("HELLO group=sales :订单 again")      # same visitor, a new chat
    c4 = kv(v1.cmd("WHERE")[0])["chat"]
    ann.ok("ACCEPT " + c4)

    v5 = srv.client()
    h5 = chat(v5, ann, "sales", "xyzzy-owner question", "Owen")
    c5 = h5["chat"]
    ann.ok("TRANSFER %s agent tom :over to you" % c5)
    tom.ok("END " + c5)

    # -- words: FTS (three characters and more), Chinese substrings
    final, ids, rows = find(ann, ":订单号")
    t.ok(final.startswith("OK") and ids == [c1], "ann (sales): 订单号 finds her sales chat", rows)
    t.ok(rows and kv(rows[0]).get("hits") == "2" and kv(rows[0]).get("kind") == "agent" and
         text(rows[0]) == "您的订单号是 A-12345" and kv(rows[0]).get("seq"),
         "the row: hits=2, the newest matching message with its seq, kind and text", rows)
    f = kv(rows[0]) if rows else {}
    t.ok(f.get("group") == "sales" and f.get("agent") == "ann" and f.get("visitor") == h1["visitor"]
         and f.get("name") == "张三" and f.get("rating") == "2" and f.get("category") == "billing"
         and f.get("started") and f.get("ended"),
         "the row carries group, agent, visitor, name, started, ended, rating, category", rows)
    final, ids, _ = find(tom, ":订单号")
    t.ok(final.startswith("OK") and ids == [], "tom (tech) does not find another group's chat", final)
    final, ids, _ = find(sue, ":单号是")
    t.ok(ids == [c1], "a Chinese substring from the middle of words (单号是)", ids)

    # -- words under three characters: substring tests
    final, ids, _ = find(sue, ":订单")
    t.ok(final.startswith("OK") and ids == [c4, c3, c1],
         "supervisor: 订单 (2 characters) finds every chat, newest hit first", ids)
    final, ids, _ = find(ann, ":订单")
    t.ok(ids == [c4, c1], "ann: 订单 only in her groups' chats", ids)
    final, ids, _ = find(tom, ":订单")
    t.ok(ids == [c3], "tom: 订单 only in tech", ids)
    final, ids, _ = find(sue, ":订单 ok")
    t.ok(ids == [c3], "two words (one short): both must be in one message", ids)
    final, ids, _ = find(sue, ":PRINTER fire")
    t.ok(ids == [c2], "words in any case and order (FTS)", ids)

    # -- notes and whispers: found by those who see the chat, not others
    final, ids, rows = find(ann, ":refund-secret")
    t.ok(ids == [c1] and kv(rows[0]).get("kind") == "note", "ann finds her chat's note", rows)
    final, ids, _ = find(tom, ":refund-secret")
    t.ok(ids == [], "tom does not find the note of a sales chat", ids)
    final, ids, rows = find(tom, ":whisper-secret")
    t.ok(ids == [c2] and kv(rows[0]).get("kind") == "whisper", "tom finds the whisper in his chat",
         rows)
    final, ids, _ = find(ann, ":whisper-secret")
    t.ok(ids == [], "ann does not find a whisper in a tech chat", ids)
    for who, c in (("sue (supervisor)", sue), ("admin", adm)):
        final, ids, _ = find(c, ":secret")
        t.ok(ids == [c2, c1], "%s finds notes and whispers of every chat" % who, ids)
    final, ids, _ = find(tom, ":xyzzy-owner")
    t.ok(ids == [c5], "tom finds a sales chat he owned when it ended (the TRANSCRIPT rule)", ids)
    final, _ = tom.cmd("TRANSCRIPT " + c5)
    t.ok(final.startswith("OK"), "and TRANSCRIPT agrees", final)
    final, ids, _ = find(ann, ":xyzzy-owner")
    t.ok(ids == [c5], "ann, of its group, finds it too", ids)

    # -- filters
    final, ids, _ = find(sue, "visitor=%s" % h1["visitor"])
    t.ok(ids == [c4, c1], "visitor=: that visitor's chats, newest first", ids)
    final, ids, _ = find(sue, "agent=tom")
    t.ok(ids == [c5, c3, c2], "agent=: the chats whose (last) agent it is", ids)
    final, ids, _ = find(sue, "group=tech")
    t.ok(ids == [c3, c2], "group=", ids)
    final, ids, _ = find(sue, "rating=2")
    t.ok(ids == [c1], "rating=2", ids)
    final, ids, _ = find(sue, "rating=4-5")
    t.ok(ids == [c2], "rating=4-5", ids)
    final, ids, _ = find(sue, "category=billing")
    t.ok(ids == [c1], "category=", ids)
    final, ids, _ = find(sue, "group=sales :订单")
    t.ok(ids == [c4, c1], "words and a filter together", ids)
    # tag=: the chats of visitors whose customer card has the tag
    final, _ = sue.cmd("FIND tag=vip")
    t.ok(final == "OK 0", "tag=vip before any card has it: nothing", final)
    sue.ok("TAG visitor=%s vip 老客户" % h1["visitor"])
    final, ids, _ = find(sue, "tag=vip")
    t.ok(ids == [c4, c1], "tag=: the chats of the tagged customer's visitor", ids)
    final, ids, _ = find(sue, "tag=老客户 :订单号")
    t.ok(ids == [c1], "a Chinese tag with words", ids)
    final, ids, _ = find(tom, "tag=vip")
    t.ok(ids == [], "tag= never widens what an agent sees (tom is not in sales)", ids)
    final, ids, _ = find(sue, "tag=VIP")
    t.ok(ids == [], "a tag matches exactly", ids)
    sue.ok("UNTAG visitor=%s vip" % h1["visitor"])
    final, ids, _ = find(sue, "tag=vip")
    t.ok(ids == [], "untagged: no longer found by the tag", ids)
    final, ids, _ = find(tom, "group=sales")
    t.ok(ids == [c5], "a filter never widens what an agent sees", ids)
    today = time.strftime("%Y-%m-%d")
    tomorrow = time.strftime("%Y-%m-%d", time.localtime(time.time() + 86400))
    yesterday = time.strftime("%Y-%m-%d", time.localtime(time.time() - 86400))
    final, ids, _ = find(sue, "since=%s until=%s" % (today, today))
    t.ok(sorted(ids) == sorted([c1, c2, c3, c4, c5]), "since= until= today: every chat", ids)
    final, ids, _ = find(sue, "since=" + tomorrow)
    t.ok(final.startswith("OK") and ids == [], "since= tomorrow: none", final)
    final, ids, _ = find(sue, "until=" + yesterday)
    t.ok(final.startswith("OK") and ids == [], "until= yesterday: none", final)
    final, ids, rows = find(sue, "")
    t.ok(ids == [c5, c4, c3, c2, c1], "no words, no filter: every chat, newest first", ids)
    t.ok(rows and kv(rows[-1]).get("kind") == "question" and text(rows[-1]) == "我的订单号是多少",
         "without words a row shows the chat's question", rows[-1:])

    # -- pages
    final, got = sue.cmd("FIND limit=2")
    t.ok(final == "OK 2 next=2" and [r.split()[0] for r in got] == [c5, c4], "limit=2: OK 2 next=2",
         (final, got))
    final, got = sue.cmd("FIND from=4 limit=2")
    t.ok(final == "OK 1" and [r.split()[0] for r in got] == [c1], "from=4: the last row, no next=",
         (final, got))
    final, got = ann.cmd("FIND limit=1 :订单")
    final2, got2 = ann.cmd("FIND from=1 limit=1 :订单")
    t.ok(final == "OK 1 next=1" and got[0].split()[0] == c4 and final2 == "OK 1"
         and got2[0].split()[0] == c1, "pages count only visible rows", (final, final2))

    # -- hostile queries: plain text, never an error from SQL or FTS5
    hostile = ['"', '""', '"abc', 'abc"def', '*', 'ab*', 'NEAR(', 'NEAR("a" "b", 2)', 'AND',
               'OR NOT', 'a:b', 'body:x', '^x', '-x', '+', '(', ')', '{body}', "'; DROP TABLE chats; --",
               '\\\\', '%', '_', '%%%', 'a\\tb', '😀😀😀', 'x' * 64, ' ', '\\s\\s',
               'NOT NOT NOT', 'a OR b', '"a" AND "b"', 'NEAR/2', 'col : x']
    for q in hostile:
        final, _ = sue.cmd("FIND :" + q)
        t.ok(final is not None and final.startswith("OK"), "FIND :%s -> OK (plain text)" % q, final)
    final, ids, rows = find(sue, ":NEAR(x")
    t.ok(ids == [c3], "FIND :NEAR(x finds the message holding 'NEAR(x'", ids)
    final, ids, _ = find(sue, ':"hello"')
    t.ok(ids == [c3], 'FIND :"hello" finds the quoted word, quotes and all', ids)
    final, ids, _ = find(sue, ':*')
    t.ok(ids == [c3], "FIND :* finds the message with a '*' (substring test)", ids)
    for args, why in (("visitor=abc", "visitor not a number"), ("visitor=0", "visitor 0"),
                      ("since=2026-13-01", "no such month"), ("until=2026-02-30", "no such day"),
                      ("since=yesterday", "a word for a date"), ("rating=6", "rating 6"),
                      ("rating=0", "rating 0"), ("rating=5-1", "rating range backwards"),
                      ("rating=3-", "rating range without end"), ("colour=red", "unknown option"),
                      ("group=a group=b", "option given twice"), ("limit=0", "limit 0"),
                      ("limit=201", "limit over 200"), ("from=-1", "negative from"),
                      (":" + " ".join(["w"] * 9), "nine words"), (":" + "x" * 65, "a word of 65 bytes"),
                      (":" + "abc " * 65, "257 bytes of words"), ("plain", "a word without ="),
                      ("tag=a,b", "a tag with a comma"), ("tag=", "an empty tag"),
                      ("tag=" + "t" * 33, "a tag of 33 bytes")):
        final, _ = sue.cmd("FIND " + args)
        t.ok(final is not None and final.startswith("ERR ARGS"), "FIND %s: ERR ARGS (%s)"
             % (args[:30], why), final)
    final, _ = v3.cmd("FIND :订单")
    t.ok(final.startswith("ERR DENIED"), "a visitor may not FIND", final)
    anon = srv.client()
    final, _ = anon.cmd("FIND :订单")
    t.ok(final.startswith("ERR NOAUTH") or final.startswith("ERR DENIED"), "nor a fresh connection",
         final)
    t.ok("INTERNAL" not in srv.log() and srv.alive(), "no storage error was logged; kefud is running")

    # -- the index outlives a restart and catches up with new messages
    srv.stop()
    srv.start()
    sue = login("sue", "sue12345"); tom = login("tom", "tom12345")
    final, ids, _ = find(sue, ":订单号")
    t.ok(ids == [c1], "after a restart the index still finds 订单号", ids)
    v6 = srv.client()
    h6 = chat(v6, tom, "tech", "新的问题 fresh-after-restart", "New")
    final, ids, _ = find(sue, ":fresh-after-restart")
    t.ok(ids == [h6["chat"]], "a message stored a moment ago is found at once", ids)
finally:
    srv.cleanup()
t.done()
