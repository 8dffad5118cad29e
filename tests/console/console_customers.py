"""console_customers.py - the customers screen (客户名片, Alt-w).

Cards are made over the protocol (Chinese names, companies and tags, a
custom field, one customer with a past chat); the console finds them by
tag:, field. and words, pages through 22 cards, opens one to see its card
and past chats with the columns lined up by cells, opens a past chat as a
read-only transcript and comes back, and edits the card with the card
form (kefud then holds the change). A card a colleague edits while the
visitor is in our chat shows in the visitor pane by itself. Every wait is a bounded poll of the
screen or of a socket.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kefuscreen as ks  # noqa: E402

T = ks.Tap()
ok = T.ok


def fields_of(final, rows):
    out = {}
    for r in rows:
        body = r.split(" ", 1)[1] if r.startswith("+ ") else r
        if "=" in body and " " not in body:
            k, v = body.split("=", 1)
            out.setdefault(k, v.replace("\\s", " "))
    return out


def make_cards(d):
    """20 filler cards, then 张三丰 (the newest) with one past chat."""
    bob = d.client(login="bob")
    for i in range(21):
        v, info = d.visitor("name=客户%02d group=sales :问题%d" % (i, i))
        v.cmd("END")
        final, _ = bob.cmd("CUSTSET visitor=%s company=公司%02d tags=普通" % (info["visitor"], i))
        assert final.startswith("OK"), final
        v.close()
    v, info = d.visitor("name=张三丰 email=zs@example.com group=sales :我的订单没有到")
    chat, vid = info["chat"], info["visitor"]
    final, _ = bob.cmd("ACCEPT %s" % chat)
    assert final.startswith("OK"), final
    bob.cmd("MSG %s :您好，订单号是多少？" % chat)
    v.cmd("SAY :12345")
    bob.cmd("END %s" % chat)
    final, _ = bob.cmd("CUSTSET visitor=%s company=武当山公司 phones=138-0013-8000 "
                       "tags=大客户,vip field.vip_level=金牌 :喜欢电话联系" % vid)
    assert final.startswith("OK customer="), final
    return bob, final.split("customer=")[1].split()[0]


def search(con, text):
    con.keys("C-u")
    if text:
        con.type(text)
    con.keys("Enter")


def customers(d, con, tag):
    cols, rows = d.cols, d.rows
    bob, cid = make_cards(d)

    con.keys("M-w")
    scr = con.wait(lambda s: "Find:" in s and "Cards 1-20" in s)
    ok(scr is not None and "PgDn: more" in scr and "张三丰" in scr,
       tag + " Alt-w opens the customers screen: the newest 20 cards, more to come", con.screen())
    con.keys("NPage")
    scr = con.wait(lambda s: "Cards 21-22" in s)
    ok(scr is not None and "张三丰" not in scr, tag + " PgDn: the next page", con.screen())
    con.keys("PPage")
    scr = con.wait(lambda s: "Cards 1-20" in s)
    ok(scr is not None, tag + " PgUp: back to the first page", con.screen())

    search(con, "tag:大客户")
    scr = con.wait(lambda s: "Cards 1-1" in s and "张三丰" in s)
    ok(scr is not None and "客户0" not in scr, tag + " tag:大客户 finds only its card", con.screen())
    head, row = ks.line_with(scr, "Company"), ks.line_with(scr, "武当山公司")
    ok(scr is not None and ks.col_of(row, "武当山公司") == ks.col_of(head, "Company")
       and ks.col_of(row, "138-0013-8000") == ks.col_of(head, "Phone")
       and ks.col_of(row, "vip,大客户") == ks.col_of(head, "Tags"),
       tag + " Chinese cells line up under their headings", scr)
    ok(scr is not None and ks.fits(scr, cols, rows), tag + " the screen fits", scr)

    search(con, "field.vip_level:金牌")
    scr = con.wait(lambda s: "Cards 1-1" in s and "张三丰" in s)
    ok(scr is not None, tag + " field.vip_level:金牌 finds the card", con.screen())
    search(con, "公司07")
    scr = con.wait(lambda s: "Cards 1-1" in s and "客户07" in s)
    ok(scr is not None and "张三丰" not in scr, tag + " words find a company", con.screen())
    search(con, "tag:没有这个")
    scr = con.wait(lambda s: "No customer card matches" in s)
    ok(scr is not None, tag + " a tag nobody has: says so", con.screen())

    search(con, "张三丰")
    con.wait(lambda s: "Cards 1-1" in s)
    con.keys("Enter")
    scr = con.wait(lambda s: "Customer #%s" % cid in s and "Past chats" in s and "#" in s
                   and "bob" in s)
    ok(scr is not None and "武当山公司" in ks.line_with(scr, "Company:")
       and "138-0013-8000" in ks.line_with(scr, "Phones:")
       and "zs@example.com" in ks.line_with(scr, "Emails:")
       and "vip,大客户" in ks.line_with(scr, "Tags:")
       and "喜欢电话联系" in ks.line_with(scr, "Notes:")
       and "金牌" in ks.line_with(scr, "vip_level:"),
       tag + " Enter opens the card: fields, tags, notes, custom field", con.screen())
    ok(scr is not None and "1 chats" in scr and "sales" in ks.line_with(scr, "bob"),
       tag + " the card lists its past chat", scr)
    ok(scr is not None and ks.fits(scr, cols, rows), tag + " the card fits", scr)

    con.keys("Enter")
    scr = con.wait(lambda s: "Transcript (read-only)" in s and "订单号是多少" in s and "12345" in s)
    ok(scr is not None, tag + " Enter on the chat opens its transcript read-only", con.screen())
    con.keys("Escape")
    scr = con.wait(lambda s: "Transcript" not in s and "Past chats" in s)
    ok(scr is not None, tag + " Esc goes back to the card", con.screen())

    con.keys("e")
    scr = con.wait(lambda s: "Customer card: 张三丰" in s and "武当山公司" in ks.line_with(s, "Company:"))
    ok(scr is not None, tag + " e opens the card form on it", con.screen())
    con.keys("Tab", "Tab", "Tab", "C-u")
    con.type("少林寺公司")
    con.keys("Enter")
    scr = con.wait(lambda s: "Customer card:" not in s and "少林寺公司" in ks.line_with(s, "Company:"))
    ok(scr is not None and "Past chats" in scr, tag + " saved, the card shows the change", con.screen())
    final, rows_ = bob.cmd("CUSTOMER %s" % cid)
    f = fields_of(final, rows_)
    ok(f.get("company") == "少林寺公司" and f.get("tags") == "vip,大客户",
       tag + " kefud holds the change, the rest as it was", str(f))

    con.keys("Escape")
    scr = con.wait(lambda s: "Find:" in s)
    ok(scr is not None, tag + " Esc: back to the list", con.screen())
    con.keys("Escape")
    scr = con.wait(lambda s: "Find:" not in s and "Queue (" in s)
    ok(scr is not None, tag + " Esc again: the desk", con.screen())


def follows(d, con, tag):
    """A colleague edits the card of the visitor in our chat: the visitor
    pane shows it by itself (* CUSTUPD), no key pressed."""
    v, info = d.take("name=韩梅梅 group=sales :我想问一下发票")
    vid = info["visitor"]
    con.wait_text("1:韩梅梅")
    bob = d.client(login="bob")
    final, _ = bob.cmd("TAG visitor=%s 回头客 vip" % vid)
    ok(final.startswith("OK customer="), tag + " a colleague tags the visitor", final)
    scr = con.wait(lambda s: "Tags: vip,回头客" in s)
    ok(scr is not None, tag + " the visitor pane shows the new tags by itself", con.screen())
    final, _ = bob.cmd("CUSTSET visitor=%s tags=大客户" % vid)
    scr = con.wait(lambda s: "Tags: 大客户" in s and "回头客" not in s)
    ok(scr is not None, tag + " and follows the next change", con.screen())
    ok(scr is not None and ks.fits(scr, d.cols, d.rows), tag + " the screen fits", scr)


SCENARIOS = [     # (function, label, cols, rows)
    (customers, "customers", 80, 24), (customers, "customers", 120, 35),
    (follows, "card follows", 80, 24),
]


def main():
    return ks.run_scenarios(SCENARIOS, T)


if __name__ == "__main__":
    sys.exit(main())
