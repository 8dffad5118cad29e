"""Customer cards and tags (客户名片): a visitor's card is made by the first
TAG/CUSTSET, holds name, phones, e-mails, company, region, address, notes,
tags and the configured custom fields; a returning visitor (token, the same
e-mail, the same phone) is linked to the same customer; VISITOR shows the
customer's tags and counts; CUSTOMERS finds cards by tag, field or words,
in pages; an agent sees only customers with chats or cases of their
groups; hostile input gets clear ERR codes; the cards survive a restart."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server(extra={"customers": {"fields": "vip_level, order_no"}}).start()


def rows_kv(rows):
    """key=value rows of a card as a dict (first value wins)."""
    out = {}
    for r in rows:
        if "=" in r.split(" ", 1)[0] and " " not in r.split(" :", 1)[0]:
            k, v = r.split("=", 1)
            out.setdefault(k, kv("x " + r).get(k))
    return out


def visitor_card(who, vid):
    final, rows = who.cmd_all("VISITOR %s" % vid)
    return final, rows_kv(rows)


try:
    a = srv.client(); a.login("alice")
    adm = srv.client(); adm.login("admin")
    v1 = srv.client()
    h1 = v1.hello("name=张三 email=zs@example.com group=tech :订单没有到")
    vid1, chat1, tok1 = h1["visitor"], h1["chat"], h1["token"]
    a.ok("ACCEPT " + chat1)

    final, card = visitor_card(a, vid1)
    t.ok(final.startswith("OK") and card.get("customer") == "0" and card.get("tags") == ""
         and card.get("cases") == "0", "VISITOR: no customer yet, no tags, no cases", card)
    final, _ = a.cmd("CUSTOMER visitor=" + vid1)
    t.ok(final.startswith("ERR NOTFOUND"), "CUSTOMER of a visitor without a card: ERR NOTFOUND", final)

    # -- the first TAG makes the card from the visitor
    final, _ = a.cmd("TAG visitor=%s vip 大客户" % vid1)
    f = kv(final)
    t.ok(final.startswith("OK customer=") and f.get("tags") == "vip,大客户" and f.get("created") == "1",
         "TAG visitor=V makes the card: OK customer=N tags=vip,大客户 created=1", final)
    cid = f.get("customer")
    final, card = visitor_card(a, vid1)
    t.ok(card.get("customer") == cid and card.get("tags") == "vip,大客户",
         "VISITOR shows the customer and its tags", card)
    final, _ = a.cmd("TAG %s vip" % cid)
    t.ok(kv(final).get("tags") == "vip,大客户" and "created" not in kv(final),
         "tagging again with the same tag changes nothing", final)

    # -- CUSTSET: fields, contacts, custom fields, notes
    final, _ = a.cmd("CUSTSET %s name=张三丰 company=ACME\\sLtd region=上海 address=浦东新区\\s1号 "
                     "phones=138-0013-8000,+86\\s21\\s5555\\s0000 field.vip_level=gold "
                     ":likes tea\\nprefers a phone call" % cid)
    t.eq(final, "OK customer=%s" % cid, "CUSTSET writes the card")
    final, rows = a.cmd("CUSTOMER " + cid)
    card = rows_kv(rows)
    t.ok(final.startswith("OK") and card.get("name") == "张三丰" and card.get("company") == "ACME Ltd"
         and card.get("region") == "上海" and card.get("address") == "浦东新区 1号",
         "CUSTOMER shows name, company, region, address", rows)
    t.ok(card.get("phones") == "138-0013-8000,+86 21 5555 0000" and card.get("emails") == "zs@example.com",
         "the phones as given, the visitor's e-mail taken in", card)
    t.eq(card.get("notes"), "likes tea\nprefers a phone call", "notes keep their newline")
    t.ok(card.get("field.vip_level") == "gold" and "field.order_no" not in card,
         "the custom field set is shown, the unset one is not", card)
    t.ok(card.get("visitors") == "1" and card.get("chats") == "1" and card.get("cases") == "0",
         "counts: 1 visitor, 1 chat, 0 cases", card)
    chat_rows = [r for r in rows if r.startswith("chat ")]
    t.ok(len(chat_rows) == 1 and chat_rows[0].split()[1] == chat1 and "group=tech" in chat_rows[0],
         "the card lists the chat", chat_rows)

    # -- a returning visitor with the same e-mail (any case) is the same customer
    v2 = srv.client()
    h2 = v2.hello("name=Zhang email=ZS@Example.COM group=tech :again")
    final, card = visitor_card(a, h2["visitor"])
    t.ok(h2["visitor"] != vid1 and card.get("customer") == cid and card.get("tags") == "vip,大客户",
         "a new visitor with the same e-mail is linked to the customer", card)
    t.ok(card.get("customer_chats") == "2", "customer_chats counts both visitors' chats", card)

    # -- ... with the same phone, given when leaving a message
    v3 = srv.client()
    h3 = v3.hello("name=匿名 group=tech :hello?")
    final, card = visitor_card(a, h3["visitor"])
    t.eq(card.get("customer"), "0", "a visitor with no known contact has no customer")
    final, _ = v3.cmd("LEAVEMSG phone=13800138000 :请回电")
    t.ok(final.startswith("OK case="), "the visitor leaves a message with a phone", final)
    final, card = visitor_card(a, h3["visitor"])
    t.ok(card.get("customer") == cid and card.get("cases") == "1",
         "the same phone (digits only) links them; the card counts the case", card)

    # -- ... with the resume token
    v1.close()
    v1b = srv.client()
    h1b = v1b.hello("token=" + tok1)
    final, card = visitor_card(a, h1b["visitor"])
    t.ok(h1b["visitor"] == vid1 and card.get("customer") == cid,
         "back with the token: the same visitor, the same customer", card)

    final, rows = a.cmd_all("CUSTOMER " + cid)
    card = rows_kv(rows)
    t.ok(card.get("visitors") == "3" and card.get("chats") == "3" and card.get("cases") == "1",
         "the card: 3 visitors, 3 chats, 1 case", card)
    case_rows = [r for r in rows if r.startswith("case ")]
    t.ok(len(case_rows) == 1 and text(case_rows[0]) == "请回电", "the card lists the case", case_rows)

    # -- pages of the card
    final, first = a.cmd("CUSTOMER %s limit=5" % cid)
    t.ok(final.startswith("OK 5 next=5"), "CUSTOMER pages: OK 5 next=5", final)
    final, rest = a.cmd_all("CUSTOMER %s from=5" % cid)
    t.eq(first + rest, rows, "the pages together are the whole card")

    # -- search
    final, rows = a.cmd("CUSTOMERS tag=vip")
    t.ok(final == "OK 1" and rows[0].startswith(cid + " ") and kv(rows[0]).get("name") == "张三丰",
         "CUSTOMERS tag=vip finds the customer", rows)
    final, rows = a.cmd("CUSTOMERS tag=nobody")
    t.eq(final, "OK 0", "an unused tag finds nobody")
    final, rows = a.cmd("CUSTOMERS field.vip_level=gold")
    t.ok(final == "OK 1" and rows[0].startswith(cid + " "), "CUSTOMERS field.vip_level=gold", rows)
    final, rows = a.cmd("CUSTOMERS :acme")
    t.ok(final == "OK 1" and rows[0].startswith(cid + " "), "CUSTOMERS :acme (words, any case)", rows)
    final, rows = a.cmd("CUSTOMERS :5555")
    t.ok(final == "OK 1" and rows[0].startswith(cid + " "), "CUSTOMERS :5555 (a phone)", rows)
    final, rows = a.cmd("CUSTOMERS tag=vip :nomatch")
    t.eq(final, "OK 0", "filters combine")
    made = []
    for i in range(3):
        vx = srv.client()
        hx = vx.hello("name=bulk%d group=tech :x" % i)
        final, _ = a.cmd("TAG visitor=%s bulk" % hx["visitor"])
        made.append(kv(final).get("customer"))
    final, p1 = a.cmd("CUSTOMERS tag=bulk limit=2")
    t.eq(final, "OK 2 next=2", "CUSTOMERS pages: OK 2 next=2")
    final, p2 = a.cmd("CUSTOMERS tag=bulk from=2 limit=2")
    t.eq(final, "OK 1", "the last page: OK 1")
    t.eq(sorted(r.split()[0] for r in p1 + p2), sorted(made), "the pages hold each tagged customer once")

    # -- UNTAG
    final, _ = a.cmd("UNTAG %s vip" % cid)
    t.ok(kv(final).get("tags") == "大客户", "UNTAG removes a tag", final)
    final, _ = a.cmd("UNTAG %s nosuchtag" % cid)
    t.ok(kv(final).get("tags") == "大客户", "UNTAG of a tag it does not have: OK, unchanged", final)
    final, _ = a.cmd("CUSTSET %s tags=a,b,c" % cid)
    final, rows = a.cmd("CUSTOMER " + cid)
    t.eq(rows_kv(rows).get("tags"), "a,b,c", "CUSTSET tags= replaces the tags")

    # -- an e-mail belongs to one customer
    final, _ = a.cmd("CUSTSET %s emails=zs@example.com" % made[0])
    t.ok(final.startswith("ERR EXISTS") and cid in final, "another customer's e-mail: ERR EXISTS", final)
    final, _ = a.cmd("CUSTSET %s phones=13800138000" % made[0])
    t.ok(final.startswith("ERR EXISTS"), "another customer's phone (other spelling): ERR EXISTS", final)

    # -- visibility: an agent of other groups sees no card
    adm.ok("GROUPADD vipdesk")
    adm.ok("USERADD dan agent groups=vipdesk :dansecret1")
    d = srv.client(); d.login("dan", "dansecret1")
    for cmd in ("CUSTOMER " + cid, "CUSTOMER visitor=" + vid1, "TAG %s x" % cid,
                "UNTAG %s a" % cid, "CUSTSET %s name=x" % cid):
        final, _ = d.cmd(cmd)
        t.ok(final.startswith("ERR DENIED"), "dan (other group): %s -> ERR DENIED" % cmd.split()[0], final)
    final, rows = d.cmd("CUSTOMERS")
    t.eq(final, "OK 0", "dan's CUSTOMERS lists none of them")
    final, rows = a.cmd_all("CUSTOMERS")
    t.eq(len(rows), 4, "alice's CUSTOMERS lists all four")
    sup = srv.client(); sup.login("carol")
    final, rows = sup.cmd("CUSTOMER " + cid)
    t.ok(final.startswith("OK"), "a supervisor sees every card", final)

    # -- hostile input
    bad = [
        ("CUSTSET %s name=%s" % (cid, "x" * 65), "ARGS", "a name over 64 bytes"),
        ("CUSTSET %s company=%s" % (cid, "x" * 129), "ARGS", "a company over 128 bytes"),
        ("CUSTSET %s address=%s" % (cid, "x" * 257), "ARGS", "an address over 256 bytes"),
        ("CUSTSET %s :%s" % (cid, "x" * 4097), "ARGS", "notes over 4096 bytes"),
        ("CUSTSET %s company=a\\nb" % cid, "ARGS", "a newline in a one-line field"),
        ("CUSTSET %s name=a\\tb" % cid, "ARGS", "a tab in a name"),
        ("CUSTSET %s phones=call-me" % cid, "ARGS", "a phone that is not one"),
        ("CUSTSET %s emails=not-an-email" % cid, "ARGS", "an e-mail that is not one"),
        ("CUSTSET %s phones=%s" % (cid, ",".join("1380000%04d" % i for i in range(9))), "LIMIT", "nine phones"),
        ("CUSTSET %s field.shoe_size=44" % cid, "ARGS", "a field not in customers.fields"),
        ("CUSTSET %s field.order_no=%s" % (cid, "9" * 257), "ARGS", "a field over 256 bytes"),
        ("CUSTSET %s" % cid, "ARGS", "nothing to change"),
        ("CUSTSET %s tags=%s" % (cid, ",".join("t%d" % i for i in range(33))), "LIMIT", "33 tags"),
        ("TAG %s %s" % (cid, "x" * 33), "ARGS", "a tag over 32 bytes"),
        ("TAG %s a\\tb" % cid, "ARGS", "a tab in a tag"),
        ("TAG %s a,b" % cid, "ARGS", "a comma in a tag"),
        ("TAG %s" % cid, "ARGS", "TAG without a tag"),
        ("CUSTOMER abc", "ARGS", "a customer that is not a number"),
        ("CUSTOMER 99999", "NOTFOUND", "no such customer"),
        ("CUSTOMER visitor=99999", "NOTFOUND", "no such visitor"),
        ("CUSTOMERS tag=a\\tb", "ARGS", "a bad tag in CUSTOMERS"),
        ("CUSTOMERS nosuch=1", "ARGS", "an unknown CUSTOMERS option"),
        ("CUSTOMERS :%s" % ("x" * 257), "ARGS", "CUSTOMERS words over 256 bytes"),
    ]
    for cmd, code, what in bad:
        final, _ = a.cmd(cmd)
        t.ok(final is not None and final.startswith("ERR " + code), "%s: ERR %s" % (what, code), final)
    final, rows = a.cmd("CUSTOMER " + cid)
    card = rows_kv(rows)
    t.ok(card.get("name") == "张三丰" and card.get("tags") == "a,b,c" and card.get("phones") == "138-0013-8000,+86 21 5555 0000",
         "after the refused requests the card is unchanged", card)
    # many tags: up to 32 in steps of TAG, then ERR LIMIT
    for i in range(0, 29, 15):
        a.ok("TAG %s %s" % (cid, " ".join("m%d" % j for j in range(i, min(i + 15, 29)))))
    final, rows = a.cmd("CUSTOMER " + cid)
    t.eq(len(rows_kv(rows).get("tags", "").split(",")), 32, "32 tags fit")
    final, _ = a.cmd("TAG %s one-more" % cid)
    t.ok(final.startswith("ERR LIMIT"), "the 33rd tag: ERR LIMIT", final)
    t.ok(srv.alive(), "kefud is still running")

    # -- the cards survive a restart
    srv.stop()
    srv.start()
    a = srv.client(); a.login("alice")
    final, rows = a.cmd("CUSTOMER " + cid)
    card = rows_kv(rows)
    t.ok(card.get("name") == "张三丰" and len(card.get("tags", "").split(",")) == 32
         and card.get("field.vip_level") == "gold", "after a restart the card is whole", card)
    final, card = visitor_card(a, vid1)
    t.eq(card.get("customer"), cid, "after a restart the visitor is still linked")
finally:
    srv.cleanup()
t.done()
