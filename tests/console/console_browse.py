"""console_browse.py - the "Visitors on the site" screen (Alt-v).

It lists the browsing visitors (BROWSE: a page open, no chat yet) with
their page, address and time on the site, follows arrivals, page changes
and departures while it is open, and Enter sends the invitation typed
(ENGAGE) to the one highlighted; the visitor's answer comes back as a
flash line, and an accepted invitation as the agent's chat. Every wait is
a bounded poll of the screen or of a socket.
"""

import kefuscreen as ks

T, ok = ks.tap()


def browser(d, args):
    b = d.client()
    final, _ = b.cmd("BROWSE group=sales " + args)
    ok(final.startswith("OK browse="), "BROWSE " + args.split()[0], final)
    return b, final.split()[1].split("=")[1]


def browse(d, con, tag):
    b1, id1 = browser(d, "page=https://shop.example/tea/longjing :西湖龙井")
    con.keys("M-v")
    scr = con.wait(lambda s: "Visitors on the site" in s and "/tea/longjing" in s)
    ok(scr is not None and "#" + id1 in scr and "127.0.0.1" in scr and "西湖龙井" in scr,
       tag + " Alt-v lists the browsing visitor: number, address, page and title", con.screen())
    b2, id2 = browser(d, "page=https://shop.example/cart :购物车")
    scr = con.wait(lambda s: "/cart" in s)
    ok(scr is not None and "2 browsing" in scr, tag + " an arrival shows while the screen is open", con.screen())
    b1.cmd("PAGE https://shop.example/tea/puer :普洱")
    scr = con.wait(lambda s: "/tea/puer" in s and "/tea/longjing" not in s)
    ok(scr is not None, tag + " a page change shows", con.screen())
    # invite the first one (the highlighted row)
    con.keys("Enter")
    scr = con.wait(lambda s: "type the invitation first" in s)
    ok(scr is not None, tag + " Enter without a text asks for one", con.screen())
    con.type("您好,需要帮忙吗?")
    con.keys("Enter")
    ev = ks.event(b1, "* INVITATION " + id1)
    ok(ev is not None and ev.endswith(":您好,需要帮忙吗?") and "agent=Alice" in ev,
       tag + " Enter sends the invitation to the highlighted visitor", ev)
    ok(ks.event(b2, "* INVITATION", 0.5) is None, tag + " and only to them")
    scr = con.wait(lambda s: "Invitation sent to visitor #" + id1 in s)
    ok(scr is not None and "Visitors on the site" not in scr, tag + " the screen closes with a flash", con.screen())
    b1.cmd("INVITATION decline")
    scr = con.wait(lambda s: "declined your invitation" in s)
    ok(scr is not None, tag + " a decline comes back as a flash", con.screen())
    # the second one accepts: the chat is the agent's
    con.keys("M-v")
    con.wait(lambda s: "/cart" in s)
    con.keys("Down")
    con.type("欢迎光临")
    con.keys("Enter")
    ok(ks.event(b2, "* INVITATION " + id2) is not None, tag + " Down then Enter invites the second one")
    final, _ = b2.cmd("INVITATION accept name=王五")
    ok(final.startswith("OK visitor="), tag + " the visitor accepts", final)
    scr = con.wait(lambda s: "王五" in s and "欢迎光临" in s)
    ok(scr is not None, tag + " the chat opens on the console with the invitation as its first message",
       con.screen())
    # after closing the screen the console stops watching
    con.keys("M-v")
    con.wait(lambda s: "Visitors on the site" in s)
    con.keys("Escape")
    con.wait(lambda s: "Visitors on the site" not in s)
    b3, id3 = browser(d, "page=https://shop.example/x")
    b4, id4 = browser(d, "page=https://shop.example/y")
    adm = d.client(login="admin")
    final, rows = adm.cmd("VISITORS")
    ok(final.startswith("OK"), tag + " the list is still there for others", final)
    con.keys("M-v")
    scr = con.wait(lambda s: "/y" in s and "/x" in s)
    ok(scr is not None, tag + " opened again: the current list", con.screen())
    con.keys("Escape")
    for c in (b1, b2, b3, b4):
        c.close()


def reconnect(d, con, tag):
    """The screen stays live across a reconnect: the console watches again
    on its new connection and shows the new server's list."""
    b1, id1 = browser(d, "page=https://shop.example/before :旧")
    con.keys("M-v")
    scr = con.wait(lambda s: "Visitors on the site" in s and "/before" in s)
    ok(scr is not None, tag + " the screen lists the browsing visitor", con.screen())
    b1.close()
    d.srv.stop()
    scr = con.wait(lambda s: "reconnecting" in s or "unreachable" in s, 30)
    ok(scr is not None, tag + " kefud stops: the console says it is reconnecting", con.screen())
    d.srv.start()
    scr = con.wait(lambda s: "reconnecting" not in s and "unreachable" not in s and
                   "/before" not in s and "0 browsing" in s, 40)
    ok(scr is not None and "Visitors on the site" in scr,
       tag + " reconnected: the open screen shows the new server's (empty) list", con.screen())
    b2, id2 = browser(d, "page=https://shop.example/after :新")
    scr = con.wait(lambda s: "/after" in s and "1 browsing" in s)
    ok(scr is not None and "#" + id2 in scr,
       tag + " an arrival after the reconnect shows: the screen watches again", con.screen())
    b2.cmd("PAGE https://shop.example/after2 :再")
    scr = con.wait(lambda s: "/after2" in s)
    ok(scr is not None, tag + " and so does a page change", con.screen())
    con.keys("Escape")
    b2.close()


SCENARIOS = [     # (function, label, cols, rows, server settings)
    (browse, "browse", 80, 24), (browse, "browse", 120, 35),
    (reconnect, "reconnect", 80, 24),
]


if __name__ == "__main__":
    ks.main(SCENARIOS, T)
