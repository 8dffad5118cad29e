"""console_card.py - the customer card (客户名片) in the console.

Alt-c on a chat opens the card form: for a visitor without a card it
starts from the name and e-mail the visitor gave; Enter saves what was
typed (CUSTSET), the visitor pane's "Tags:" shows the tags at once, and
kefud holds the card; opened again, the form shows the card; an invalid
phone is refused in the form (the error shown, the card unchanged) and Esc
leaves it. A name with an emoji joined by U+200D (shown as <U+200D>)
is saved as the visitor wrote it, not as the stand-in the form shows.
Every wait is a bounded poll of the screen or of a socket.
"""

import kefuscreen as ks

T, ok = ks.tap()


def card_rows(agent, vid):
    final, rows = agent.cmd("CUSTOMER visitor=%s" % vid)
    out = {}
    for r in rows:
        body = r.split(" ", 1)[1] if r.startswith("+ ") else r
        if "=" in body and " " not in body.split(" :", 1)[0]:
            k, v = body.split("=", 1)
            out.setdefault(k, v.replace("\\s", " "))
    return final, out


def card(d, con, tag):
    cols, rows = d.cols, d.rows
    v, info = d.take("name=李雷 email=li@example.com group=sales :我想改地址")
    vid = info["visitor"]
    scr = con.wait_text("1:李雷")
    ok(scr is not None and "Tags:" not in scr, tag + " no tags before the card exists", con.screen())
    con.keys("M-c")
    scr = con.wait(lambda s: "Customer card" in s and "No card yet" in s)
    ok(scr is not None, tag + " Alt-c opens the card form; no card yet", con.screen())
    ok(scr is not None and "李雷" in ks.line_with(scr, "Name:")
       and "li@example.com" in ks.line_with(scr, "Email:"),
       tag + " the form starts from the visitor's name and e-mail", scr)
    ok(scr is not None and ks.fits(scr, cols, rows), tag + " the form fits the screen", scr)
    con.keys("Tab")
    con.type("138 0013 8000")
    con.keys("Tab", "Tab")
    con.type("ACME 公司")
    con.keys("Tab")
    con.type("vip 大客户")
    con.keys("Tab")
    con.type("call after 6pm")
    con.keys("Enter")
    scr = con.wait(lambda s: "Customer card saved" in s and "Tags: vip,大客户" in s)
    ok(scr is not None, tag + " Enter saves; the visitor pane shows Tags: vip,大客户", con.screen())
    if rows >= 30:      # a tall visitor pane has room for the customer line
        ok(scr is not None and "Customer: #" in scr and "1 chats" in scr,
           tag + " the visitor pane names the customer and its chats", scr)
    a = d.client(login="alice")
    final, c = card_rows(a, vid)
    ok(final.startswith("OK") and c.get("name") == "李雷" and c.get("phones") == "138 0013 8000"
       and c.get("emails") == "li@example.com" and c.get("company") == "ACME 公司"
       and c.get("tags") == "vip,大客户" and c.get("notes") == "call after 6pm",
       tag + " kefud holds the card as typed", (final, c))

    con.keys("M-c")
    scr = con.wait(lambda s: "Customer card" in s and "ACME 公司" in ks.line_with(s, "Company:"))
    ok(scr is not None and "vip,大客户" in ks.line_with(scr, "Tags:  "),
       tag + " opened again, the form shows the card", con.screen())
    con.keys("Tab", "Tab", "Tab", "Tab", "C-u")
    con.type("vip")
    con.keys("Enter")
    scr = con.wait(lambda s: "Customer card saved" in s and "Tags: vip" in s and "大客户" not in ks.line_with(s, "Tags:"))
    ok(scr is not None, tag + " a tag taken out of the form is gone from the pane", con.screen())

    con.keys("M-c")
    con.wait(lambda s: "ACME 公司" in ks.line_with(s, "Company:"))
    con.keys("Tab", "C-u")
    con.type("call me")
    con.keys("Enter")
    scr = con.wait(lambda s: "ARGS phones" in s)
    ok(scr is not None and "Customer card" in scr, tag + " an invalid phone: the error shows in the form, which stays", con.screen())
    con.keys("Escape")
    scr = con.wait(lambda s: "Customer card" not in s)
    ok(scr is not None, tag + " Esc closes the form", con.screen())
    final, c = card_rows(a, vid)
    ok(c.get("phones") == "138 0013 8000" and c.get("tags") == "vip",
       tag + " the refused change left the card as it was", c)


def hidden(d, con, tag):
    """The form spells out a zero-width joiner; saving keeps the real one."""
    name = "王小明\U0001F468\u200d\U0001F4BB"
    v, info = d.take("name=%s group=sales :路由器一直断线" % name)
    vid = info["visitor"]
    con.keys("M-c")
    scr = con.wait(lambda s: "No card yet" in s and "<U+200D>" in ks.line_with(s, "Name:"))
    ok(scr is not None, tag + " the form shows the joiner spelt out", con.screen())
    con.keys("Tab")
    con.type("13800138000")
    con.keys("Enter")
    scr = con.wait(lambda s: "Customer card saved" in s)
    ok(scr is not None, tag + " a new card is saved", con.screen())
    a = d.client(login="alice")
    final, c = card_rows(a, vid)
    ok(c.get("name") == name and c.get("phones") == "13800138000",
       tag + " the card has the name as the visitor wrote it, not <U+200D>", repr(c))
    a.cmd("CUSTSET visitor=%s name=%s" % (vid, name + "\u200d\U0001F4F1"))
    con.keys("M-c")
    scr = con.wait(lambda s: "Customer card" in s and "13800138000" in ks.line_with(s, "Phone:"))
    ok(scr is not None, tag + " opened again, the form shows the card", con.screen())
    con.keys("Tab", "Tab", "Tab", "Tab")
    con.type("vip")
    con.keys("Enter")
    scr = con.wait(lambda s: "Customer card saved" in s and "Tags: vip" in s)
    ok(scr is not None, tag + " only the tags are changed", con.screen())
    final, c = card_rows(a, vid)
    ok(c.get("name") == name + "\u200d\U0001F4F1" and c.get("tags") == "vip",
       tag + " the name nobody edited stays as it was on the card", repr(c))


SCENARIOS = [     # (function, label, cols, rows, server settings)
    (card, "card", 80, 24), (card, "card", 120, 35), (hidden, "hidden", 80, 24),
]


if __name__ == "__main__":
    ks.main(SCENARIOS, T)
