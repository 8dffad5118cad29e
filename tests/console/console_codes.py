"""console_codes.py - quick-reply short codes in the console's input line.

Typing "/code" and Tab puts the text of the quick reply with that code in
its place (the agent's own first, then the chat's group's, as REPLIES
orders them); the expanded line is sent like any other; an unknown code
leaves the line alone and says so. Every wait is a bounded poll of the screen or of a socket.
"""

import kefuscreen as ks

T, ok = ks.tap()


def codes(d, con, tag):
    adm = d.client(login="admin")
    final, _ = adm.cmd("REPLYADD 运费 group=sales code=ship :满99元包邮。")
    ok(final.startswith("OK id="), tag + " admin adds a sales reply with code ship", final)
    final, _ = adm.cmd("REPLYADD techship group=tech code=ship :tech shipping")
    ok(final.startswith("OK id="), tag + " and a tech one with the same code", final)
    v, info = d.visitor("name=Ann group=sales :运费多少?")
    con.wait_text("Queue (1)")
    con.keys("F2")
    con.wait_text("1:Ann")
    con.type("Hi /ship")
    con.keys("Tab")
    scr = con.wait(lambda s: "Hi 满99元包邮。" in s)
    ok(scr is not None, tag + " /ship Tab becomes the sales chat's reply", con.screen())
    con.keys("Enter")
    m = ks.event(v, "* MSG")
    ok(m is not None and m.endswith(":Hi 满99元包邮。"), tag + " the visitor gets the expanded text", m)
    con.type("/nope")
    con.keys("Tab")
    scr = con.wait(lambda s: "No quick reply has the code /nope" in s)
    ok(scr is not None, tag + " an unknown code gets a flash", con.screen())
    con.keys("Enter")
    m = ks.event(v, "* MSG")
    ok(m is not None and m.endswith(":/nope"), tag + " and the line stays as typed", m)


SCENARIOS = [     # (function, label, cols, rows, server settings)
    (codes, "codes", 80, 24), (codes, "codes", 120, 35),
]


if __name__ == "__main__":
    ks.main(SCENARIOS, T)
