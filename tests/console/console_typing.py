"""console_typing.py - the console tells the visitor that the agent types.

Typing in a chat's input line sends TYPING <chat> (the visitor gets
* TYPING <chat> agent=Alice on=1, never the draft), at most every few
seconds while keys keep coming; emptying the line says on=0; sending the
message says nothing more (the message ends the indicator); an internal
note (F6) is never announced. Every wait is a bounded poll of the screen
or of a socket.
"""
import time

import kefuscreen as ks

T, ok = ks.tap()


def typing_events(v, wait):
    """The * TYPING events the visitor gets within wait seconds."""
    out = []
    end = time.time() + wait
    while time.time() < end:
        ev = ks.event(v, "* TYPING", max(0.05, end - time.time()))
        if ev is None:
            break
        out.append(ev)
    return out


def typing(d, con, tag):
    v, info = d.take("name=Ann group=sales :在吗?")
    chat = info["chat"]
    con.type("您")
    ev = ks.event(v, "* TYPING")
    ok(ev is not None and ev.startswith("* TYPING %s " % chat) and "agent=Alice" in ev
       and "on=1" in ev and "您" not in ev,
       tag + " the first key: the visitor sees Alice typing, not the draft", ev)
    t0 = time.time()
    for ch in "好,请问有什么可以帮您":
        con.type(ch)
    con.wait(lambda s: "有什么可以帮您" in s)
    evs = typing_events(v, 1.0)
    limit = int((time.time() - t0) / 3) + 1     # TYPING_EVERY is 3 s
    ok(len(evs) <= limit and all("on=1" in e for e in evs),
       tag + " 11 more keys: at most one more every 3 s (%d in %.1fs)" % (len(evs), time.time() - t0), evs)
    con.keys("C-u")
    ev = ks.event(v, "* TYPING")
    ok(ev is not None and "on=0" in ev, tag + " the line emptied: on=0", ev)
    con.type("好的")
    ev = ks.event(v, "* TYPING")
    ok(ev is not None and "on=1" in ev, tag + " typing again: on=1", ev)
    con.keys("Enter")
    m = ks.event(v, "* MSG")
    ok(m is not None and m.endswith(":好的"), tag + " the message arrives", m)
    ok(ks.event(v, "* TYPING", 1.0) is None, tag + " and no on=0 after it (the message ends it)")
    con.keys("F6")
    con.type("内部备注")
    ok(ks.event(v, "* TYPING", 1.5) is None, tag + " an internal note is never announced")
    con.keys("Enter")
    con.wait(lambda s: "内部备注" in s)


SCENARIOS = [     # (function, label, cols, rows, server settings)
    (typing, "typing", 80, 24),
]


if __name__ == "__main__":
    ks.main(SCENARIOS, T)
