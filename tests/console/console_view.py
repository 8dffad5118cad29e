"""console_view.py - the read-only transcript view follows TRANSCRIPT's
pages (issue 13): a chat longer than one page (200 messages) shows whole,
its count and its last message included. Every wait is a bounded poll.
"""

import kefuscreen as ks

T, ok = ks.tap()
N = 450         # agent messages: three pages of 200 with the question


def long_view(d, con, tag):
    bob = d.client("bob")
    v, info = d.visitor("name=Ann group=sales :a long chat")
    chat = info["chat"]
    bob.cmd("ACCEPT " + chat)
    for i in range(N):     # pipelined; the replies are read below
        bob.send("@m MSG %s :line %03d" % (chat, i))
    bob.send("@m MSG %s :zebra-needle the last one" % chat)
    final, _ = bob.cmd("WRAPUP %s general :long" % chat, timeout=60)
    ok(final == "OK", tag + " bob wrote %d messages and wrapped up" % (N + 1), final)
    con.keys("F9")
    con.wait_text("Search:")
    con.type("zebra-needle")
    con.keys("Enter")
    con.wait(lambda s: "Enter opens the chat" in s)
    con.keys("Enter")
    want = "Chat #%s, %d messages" % (chat, N + 2)
    scr = con.wait(lambda s: want in s and want + "..." not in s, 60)
    ok(scr is not None, tag + " the view has all %d messages (3 pages)" % (N + 2), con.screen())
    con.keys(*(["NPage"] * ((N + 2) // 8 + 2)))
    scr = con.wait(lambda s: "zebra-needle the last one" in s)
    ok(scr is not None and "Transcript (read-only)" in scr,
       tag + " PgDn reaches the last message", con.screen())
    ok(ks.fits(scr or "", d.cols, d.rows), tag + " it fits", scr)
    con.keys("Escape")
    ok(con.wait(lambda s: "Transcript (read-only)" not in s) is not None, tag + " Esc closes it",
       con.screen())


SCENARIOS = [     # (function, label, cols, rows)
    (long_view, "view", 80, 24), (long_view, "view", 120, 35),
]


if __name__ == "__main__":
    ks.main(SCENARIOS, T)
