"""console_stats.py - the status bar's figures for today, from kefud's STATS
(issue 13): chats today, average first response, rating average. They
start at zero, count a chat when it comes, and take the first response and
the rating once the chat is answered, rated and wrapped up; another
agent's chats do not count. Every wait is a bounded poll of the screen.
"""

import kefuscreen as ks

T, ok = ks.tap()


def status_bar(scr):
    return (scr or "").split("\n")[0]


def stats(d, con, tag):
    scr = con.wait(lambda s: "today 0" in status_bar(s))
    ok(scr is not None and "1st reply -" in status_bar(scr) and "rating -" in status_bar(scr),
       tag + " a fresh day: today 0, no averages", con.screen())
    bob = d.client("bob")
    vb, ib = d.visitor("name=Other group=sales :for bob")
    bob.cmd("ACCEPT " + ib["chat"])
    v, info = d.take("name=Ann group=sales :hello")
    scr = con.wait(lambda s: "today 1" in status_bar(s))
    ok(scr is not None, tag + " a chat taken: today 1 (bob's is not counted)", con.screen())
    con.type("hi Ann")
    con.keys("Enter")
    ks.event(v, "* MSG")
    v.cmd("END")
    v.cmd("RATE 4 :ok")
    con.wait(lambda s: "(ended, rated)" in s)
    con.keys("F7")
    con.wait_text("Category:")
    con.keys("Enter")
    scr = con.wait(lambda s: "rating 4.00" in status_bar(s) and "1st reply -" not in status_bar(s))
    ok(scr is not None, tag + " after the wrap-up: a first response time and rating 4.00",
       con.screen())
    ok(ks.fits(scr or "", d.cols, d.rows), tag + " the status bar fits", scr)


SCENARIOS = [     # (function, label, cols, rows)
    (stats, "stats", 80, 24), (stats, "stats", 120, 35),
]


if __name__ == "__main__":
    ks.main(SCENARIOS, T)
