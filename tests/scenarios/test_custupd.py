"""* CUSTUPD: a customer card changed (CUSTSET, TAG, UNTAG), told to the
staff in a chat of one of the card's visitors (its owner, invited agents,
monitoring supervisors), so their visitor pane follows a card a colleague
edits. Never to the visitor, never to staff who are not in such a chat
(an agent of another group included); a refused change tells nobody.
Every "never" is checked after a PING on that connection, whose answer
comes after anything the change could have queued for it."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv

USERS = [  # name, role, password, display, groups, max
    ("admin", "admin", "admin123", "Admin", "sales,tech", 5),
    ("ann", "agent", "ann-pass-1", "Ann", "sales", 5),
    ("bob", "agent", "bob-pass-1", "Bob", "sales", 5),
    ("ted", "agent", "ted-pass-1", "Ted", "tech", 5),
    ("carol", "supervisor", "carol123", "Carol", "sales", 5),
]
PW = {u[0]: u[2] for u in USERS}

t = Tap()
srv = Server(extra={
    "groups": [{"name": "sales", "mode": "manual"},
               {"name": "tech", "mode": "manual"}],
    "users": [{"name": n, "role": r, "password": p, "display": d,
               "groups": g, "max_chats": m} for (n, r, p, d, g, m) in USERS],
}).start()


def none_for(c, what):
    """After a PING round trip on c: no * CUSTUPD came to it."""
    final, _ = c.cmd("PING")
    got = [e for e in c.events if e.startswith("CUSTUPD")]
    t.ok(final is not None and final.startswith("OK") and not got, what, got)
    c.events = [e for e in c.events if not e.startswith("CUSTUPD")]


def custupd(c, chat, what):
    e = c.expect_event("CUSTUPD %s " % chat)
    t.ok(e is not None, what, c.events)
    return kv(e or "")


try:
    who = {}
    for n in ("ann", "bob", "ted", "carol", "admin"):
        who[n] = srv.client()
        who[n].login(n, PW[n])
    ann, bob, ted, carol, admin = (who[n] for n in ("ann", "bob", "ted", "carol", "admin"))
    v1 = srv.client()
    h1 = v1.hello("name=王五 email=ww@example.com group=sales :我要退货")
    chat1, vid1 = h1["chat"], h1["visitor"]
    ann.ok("ACCEPT " + chat1)

    # a colleague who is not in the chat tags the visitor: its owner hears
    final, _ = bob.cmd("TAG visitor=%s vip 老客户" % vid1)
    t.ok(final.startswith("OK customer=") and "created=1" in final,
         "TAG visitor=V by a colleague makes the card", final)
    cid = kv(final)["customer"]
    f = custupd(ann, chat1, "the chat's owner gets * CUSTUPD")
    t.ok(f.get("customer") == cid and f.get("visitor") == vid1 and f.get("by") == "bob"
         and f.get("tags") == "vip,老客户",
         "* CUSTUPD <chat> customer=N visitor=V by=bob tags=vip,老客户", f)
    none_for(v1, "the visitor never gets * CUSTUPD")
    none_for(bob, "the colleague who made the change, not in the chat, does not")
    none_for(ted, "an agent of another group does not")
    none_for(carol, "a supervisor not looking at the chat does not")

    # CUSTSET and UNTAG tell too; a monitoring supervisor and an invited agent hear it
    carol.ok("MONITOR " + chat1)
    ann.ok("INVITE %s bob" % chat1)
    final, _ = admin.cmd("CUSTSET %s company=华山派 :只在周末联系" % cid)
    t.eq(final, "OK customer=%s" % cid, "CUSTSET by an admin")
    for n in ("ann", "bob", "carol"):
        f = custupd(who[n], chat1, "CUSTSET: %s (in the chat) gets * CUSTUPD" % n)
        t.ok(f.get("by") == "admin" and f.get("tags") == "vip,老客户",
             "  ... by=admin with the card's tags", f)
    none_for(ted, "CUSTSET: the agent of another group still does not")
    none_for(v1, "CUSTSET: nor the visitor")
    none_for(admin, "CUSTSET: nor the admin who is not in the chat")

    final, _ = bob.cmd("UNTAG %s 老客户" % cid)
    t.ok(final.startswith("OK") and kv(final).get("tags") == "vip", "UNTAG", final)
    f = custupd(ann, chat1, "UNTAG: the owner gets * CUSTUPD")
    t.ok(f.get("tags") == "vip" and f.get("by") == "bob", "  ... with the tags left", f)
    custupd(bob, chat1, "UNTAG: the invited agent who untagged gets it too (he is in the chat)")
    custupd(carol, chat1, "UNTAG: the monitoring supervisor gets it")

    # a refused change tells nobody
    final, _ = bob.cmd("CUSTSET %s phones=not-a-phone" % cid)
    t.ok(final.startswith("ERR ARGS"), "a bad phone is refused", final)
    for n in ("ann", "bob", "carol"):
        none_for(who[n], "a refused CUSTSET tells nobody (%s)" % n)

    # the same customer in a tech chat: its agent hears, for their own chat
    v2 = srv.client()
    h2 = v2.hello("name=王五 email=WW@example.com group=tech :发票")
    chat2, vid2 = h2["chat"], h2["visitor"]
    ted.ok("ACCEPT " + chat2)
    final, _ = ann.cmd("TAG %s 回头客" % cid)
    t.ok(final.startswith("OK") and kv(final).get("tags") == "vip,回头客", "TAG by the owner", final)
    f = custupd(ted, chat2, "the agent of the customer's other chat (tech) gets * CUSTUPD for it")
    t.ok(f.get("visitor") == vid2 and f.get("customer") == cid and f.get("by") == "ann",
         "  ... naming that chat's visitor", f)
    custupd(ann, chat1, "the owner of the first chat gets it for hers")
    none_for(ted, "one event per chat: none for the sales chat to the tech agent")
    none_for(v2, "the second visitor gets nothing either")
finally:
    srv.stop()
    srv.cleanup()
sys.exit(t.done())
