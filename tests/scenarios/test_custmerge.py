"""CUSTMERGE <keep> <gone>: two customer cards that turn out to be one
person become one (supervisors and admins only, audited). The kept card
gets the other's visitors (so their chats and cases), contacts, tags, the
custom fields it has not set and its blank fields; the other card is gone.
Over the limits (tags, phones, e-mails) it is refused and nothing changes.
The staff in the merged visitors' chats get * CUSTUPD."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv

t = Tap()
srv = Server(extra={"customers": {"fields": "vip_level, order_no"}}).start()


def card(who, cid):
    final, rows = who.cmd_all("CUSTOMER %s" % cid)
    out = {}
    for r in rows:
        if "=" in r.split(" ", 1)[0] and " " not in r.split(" :", 1)[0]:
            k = r.split("=", 1)[0]
            out.setdefault(k, kv("x " + r).get(k))
    return final, out, [r for r in rows if r.startswith("chat ") or r.startswith("case ")]


try:
    alice = srv.client(); alice.login("alice")
    bob = srv.client(); bob.login("bob")
    carol = srv.client(); carol.login("carol")
    admin = srv.client(); admin.login("admin")

    v1 = srv.client()
    h1 = v1.hello("name=赵六 email=z6@example.com group=tech :订单问题")
    chat1, vid1 = h1["chat"], h1["visitor"]
    alice.ok("ACCEPT " + chat1)
    final, _ = alice.cmd("CUSTSET visitor=%s phones=13800138000 tags=vip "
                         "field.vip_level=gold :老客户" % vid1)
    cid1 = kv(final).get("customer")
    t.ok(final.startswith("OK customer=") and cid1, "the first card", final)

    v2 = srv.client()
    h2 = v2.hello("name=赵六 group=tech :发票问题")
    chat2, vid2 = h2["chat"], h2["visitor"]
    bob.ok("ACCEPT " + chat2)
    final, _ = bob.cmd("CASEFROM %s :回电" % chat2)
    t.ok(final.startswith("OK"), "a case from the second chat", final)
    final, _ = bob.cmd("CUSTSET visitor=%s company=赵家庄 region=北京 emails=z6b@example.com "
                       "tags=vip,回头客 field.vip_level=silver field.order_no=A1" % vid2)
    cid2 = kv(final).get("customer")
    t.ok(final.startswith("OK customer=") and cid2 and cid2 != cid1, "a second card, the same person", final)

    # -- who may
    for who, name in ((alice, "agent"), (v1, "visitor")):
        final, _ = who.cmd("CUSTMERGE %s %s" % (cid1, cid2))
        t.ok(final.startswith("ERR DENIED"), "%s: CUSTMERGE -> ERR DENIED" % name, final)
    final, _ = srv.client().cmd("CUSTMERGE %s %s" % (cid1, cid2))
    t.ok(final.startswith("ERR NOAUTH"), "before LOGIN: ERR NOAUTH", final)

    # -- bad requests change nothing
    for cmd, code, what in (("CUSTMERGE %s %s" % (cid1, cid1), "ERR ARGS", "the same card twice"),
                            ("CUSTMERGE %s 99999" % cid1, "ERR NOTFOUND", "no such card"),
                            ("CUSTMERGE x %s" % cid1, "ERR ARGS", "not a number"),
                            ("CUSTMERGE %s" % cid1, "ERR ARGS", "one card only")):
        final, _ = carol.cmd(cmd)
        t.ok(final.startswith(code), "%s: %s" % (what, code), final)
    v3 = srv.client()
    h3 = v3.hello("name=钱七 group=tech :hi")
    tags = ",".join("t%02d" % i for i in range(32))
    final, _ = alice.cmd("CUSTSET visitor=%s tags=%s" % (h3["visitor"], tags))
    cid3 = kv(final).get("customer")
    final, _ = carol.cmd("CUSTMERGE %s %s" % (cid1, cid3))
    t.ok(final.startswith("ERR LIMIT"), "33 tags together: ERR LIMIT", final)
    final, c3, _ = card(carol, cid3)
    final1, c1, _ = card(carol, cid1)
    t.ok(final.startswith("OK") and len(c3.get("tags", "").split(",")) == 32
         and c1.get("tags") == "vip", "the refused merge changed neither card", (c1, c3))

    # -- the merge (the events of the edits above read and dropped first)
    for w in (alice, bob):
        w.cmd("PING")
        w.events = [e for e in w.events if not e.startswith("CUSTUPD")]
    final, _ = carol.cmd("CUSTMERGE %s %s" % (cid1, cid2))
    t.eq(final, "OK customer=%s merged=%s visitors=2" % (cid1, cid2), "a supervisor merges")
    for who, chat, vid in ((alice, chat1, vid1), (bob, chat2, vid2)):
        e = who.expect_event("CUSTUPD %s " % chat)
        t.ok(e is not None and kv(e).get("customer") == cid1 and kv(e).get("visitor") == vid
             and kv(e).get("tags") == "vip,回头客" and kv(e).get("by") == "carol",
             "the agent of chat %s gets * CUSTUPD for the kept card" % chat, e)
    final, _ = carol.cmd("PING")
    t.ok(not [e for e in v1.events + v2.events if e.startswith("CUSTUPD")],
         "the visitors get no * CUSTUPD")

    final, _, _ = card(carol, cid2)
    t.ok(final.startswith("ERR NOTFOUND"), "the merged card is gone", final)
    final, c, lst = card(carol, cid1)
    t.ok(c.get("name") == "赵六" and c.get("company") == "赵家庄" and c.get("region") == "北京",
         "the kept card's blank fields come from the other", c)
    t.ok(c.get("notes") == "老客户" and c.get("field.vip_level") == "gold"
         and c.get("field.order_no") == "A1",
         "what the kept card has stays; custom fields it lacked are added", c)
    t.ok(c.get("phones") == "13800138000" and c.get("emails") == "z6@example.com,z6b@example.com"
         and c.get("tags") == "vip,回头客", "contacts and tags of both", c)
    chats = sorted(r.split()[1] for r in lst if r.startswith("chat "))
    t.ok(c.get("visitors") == "2" and chats == sorted([chat1, chat2]) and c.get("cases") == "1"
         and any(r.startswith("case ") for r in lst),
         "the other card's chats and case moved to the kept card", (c, lst))
    final, rows = carol.cmd("VISITOR %s" % vid2)
    t.ok(any(r == "customer=%s" % cid1 for r in rows), "VISITOR of its visitor names the kept card", rows)
    final, rows = alice.cmd("CUSTOMERS tag=回头客")
    t.ok(final == "OK 1" and rows[0].split()[0] == cid1, "CUSTOMERS finds the kept card by the moved tag", rows)
    v4 = srv.client()
    h4 = v4.hello("name=赵六 email=Z6B@example.com group=tech :又来了")
    final, rows = carol.cmd("VISITOR %s" % h4["visitor"])
    t.ok(any(r == "customer=%s" % cid1 for r in rows),
         "a new visitor with the moved e-mail is linked to the kept card", rows)

    final, rows = admin.cmd("AUDIT 20")
    t.ok(any(kv(r).get("actor") == "carol" and kv(r).get("action") == "custmerge"
             and "%s <- %s" % (cid1, cid2) in r.replace("\\s", " ") for r in rows),
         "AUDIT has carol's custmerge (kept <- gone)", rows)
    final, _ = admin.cmd("CUSTMERGE %s %s" % (cid1, cid3))
    t.ok(final.startswith("ERR LIMIT"), "an admin may merge too (here over the limit)", final)
finally:
    srv.stop()
    srv.cleanup()
sys.exit(t.done())
