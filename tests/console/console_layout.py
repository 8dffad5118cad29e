"""console_layout.py - how the console's screen is laid out and typed into.

Separators between the three columns of the wide layout, rows of the
right column cut with an ellipsis, a visitor card without raw keys, long
Chinese and English messages starting alike, long waits next to the
selection marker, the help screen scrolling on small terminals, the key
bar hinting at the keys it had to drop, a signed-out console that stops
ticking, multi-line messages and messages starting with '?'.
Each scenario runs at 80x24 and at least one other size.
"""
import os
import sqlite3
import time

import kefuscreen as ks

T, ok = ks.tap()

LONG_URL = "/catalogue/kitchen/knives/chef-knife-21cm-damascus-steel?colour=black"


def columns(d, con, tag):
    v = d.take("name=Ann page=%s group=sales :hello" % LONG_URL)[0]
    v.cmd("PAGE /checkout :Checkout")
    scr = con.wait(lambda s: "Pages: /checkout" in s and "Past chats: 0" in s)
    ok(scr is not None, tag + " card shown", con.screen())
    lines = (scr or "").split("\n")
    seps = [ks.col_of(l, "\u2502") for l in lines[2:-2]]
    ok(len(seps) > 0 and all(c > 0 for c in seps),
       tag + " a separator between the queue and the chat on every row", scr)
    right = [l for l in lines if l.count("\u2502") >= 2]
    ok(len(right) > 10, tag + " and another between the chat and the right column", scr)
    cut = [l for l in lines if "/catalogue/kitchen" in l]
    ok(cut and all(l.endswith("\u2026") for l in cut) and ks.fits(scr, d.cols, d.rows),
       tag + " rows of the right column that do not fit end in \u2026", scr)
    ok("last chat" not in (scr or "") and "last category" not in (scr or "") and
       "last summary" not in (scr or ""), tag + " no raw keys on the card", scr)


def card_keys(d, con, tag):
    bob = d.client("bob")
    v, info = d.visitor("name=Ann group=sales :first")
    bob.cmd("ACCEPT " + info["chat"])
    bob.cmd("WRAPUP %s shipping :sent" % info["chat"])
    v2 = d.client()
    v2.cmd("HELLO token=%s group=sales :again" % info["token"])
    con.wait_text("Queue (1)")
    con.keys("F2")
    scr = con.wait(lambda s: "Last wrap-up: shipping: sent" in s)
    ok(scr is not None, tag + " the last wrap-up is on the card once", con.screen())
    ok(scr is not None and "last category" not in scr and "last summary" not in scr and
       "last chat" not in scr, tag + " not again as raw keys", scr)


def chinese_wrap(d, con, tag):
    zh = "我的订单还没有到请帮忙查一下谢谢" * 4
    en = "Hello, I would like to know where my parcel is, order 12345, " * 2
    v = d.take("name=张三 group=sales :hi")[0]
    v.cmd("SAY :" + zh)
    v.cmd("SAY :" + en.strip())
    scr = con.wait(lambda s: "张三: Hello" in s)
    ok(scr is not None, tag + " both messages shown", con.screen())
    zrow = ks.line_with(scr, "张三: 我的订单")
    ok(zrow != "", tag + " a long Chinese message starts on the name's line, like English",
       scr)


def long_wait(d, con, tag):
    d.visitor("name=Ann group=sales :waiting long")[0].close()
    con.wait_text("Queue (1)")
    d.srv.stop()
    db = sqlite3.connect(os.path.join(d.dir, "kefu.db"))
    db.execute("UPDATE chats SET queued_at = queued_at - 700")
    db.commit()
    db.close()
    d.srv.start()
    scr = d.con.wait(lambda s: "[online]" in s and "Ann" in s and
                     any(("11:4" in l or "11:5" in l) for l in s.split("\n")), 30)
    ok(scr is not None, tag + " a wait of more than 10 minutes", con.screen())
    row = ks.line_with(scr, "Ann")
    ok(row.startswith(">") and row[1] == " ", tag + " leaves the marker its own cell: " +
       repr(row[:12]), scr)


def help_scrolls(d, con, tag):
    con.keys("F1")
    scr = con.wait(lambda s: "this help" in s)
    ok(scr is not None and ks.fits(scr, d.cols, d.rows), tag + " help opens", con.screen())
    if d.rows < 37:             # 33 keys need 37 rows (the box takes rows - 4)
        ok(scr is not None and "Ctrl-L" not in scr and " v" in scr,
           tag + " too short for all keys: it says there is more", scr)
        scr = None
        for _ in range(6):      # 8 keys a PgDn: a few reach the end
            con.keys("NPage")
            scr = con.wait(lambda s: "repaint the screen" in s and "this help" not in s, 3)
            if scr is not None:
                break
        ok(scr is not None, tag + " PgDn scrolls to the last keys", con.screen())
        con.keys("Home")
        ok(con.wait(lambda s: "this help" in s) is not None, tag + " Home back to the top",
           con.screen())
    else:               # the box may be caught half drawn: wait for its end
        scr = con.wait(lambda s: "this help" in s and "repaint the screen" in s, 10) or scr
        ok(scr is not None and "this help" in scr and "repaint the screen" in scr,
           tag + " every key fits on one screen", scr)
        ok(scr is not None and "accept the highlighted visitor (first in queue)" in scr,
           tag + " descriptions are not cut", scr)
    con.keys("Escape")
    ok(con.wait(lambda s: "this help" not in s) is not None, tag + " Esc closes it",
       con.screen())


def key_bar(d, con, tag):
    scr = con.wait(lambda s: "F1Help" in s)
    last = scr.rstrip("\n").split("\n")[-1] if scr else ""
    if d.cols < 72:
        ok(last.endswith("F1:more") and "F10Quit" not in last,
           tag + " keys that do not fit are hinted at: " + repr(last), scr)
    else:
        ok("F10Quit" in last and "more" not in last, tag + " every key fits", scr)


def signed_out(d, con, tag):
    d.take("name=Ann group=sales :hi")
    d.visitor("name=Ben group=sales :waiting")
    con.wait_text("Queue (1)")
    for _ in range(4):          # agent.max_connections is 4: the oldest goes
        d.client("alice")
    scr = con.wait(lambda s: "[signed out]" in s)
    ok(scr is not None and "chats 1/5" not in scr and "queue 1" not in scr and
       "Ben" not in scr, tag + " signed out: no stale queue or chat count", con.screen())
    first = con.screen()
    time.sleep(2.5)             # an observation window, not a synchronisation
    ok(con.screen() == first, tag + " and nothing ticks any more", con.screen())


def multiline(d, con, tag):
    v = d.take("name=Ann group=sales :hi")[0]
    con.type("line one")
    con.keys("C-j")
    con.type("line two")
    scr = con.wait(lambda s: "> line one\u21b5line two" in s)
    ok(scr is not None, tag + " Ctrl-J puts a new line in the input (shown as \u21b5)",
       con.screen())
    con.keys("M-Enter")          # Alt-Enter: another new line
    con.type("line three")
    con.keys("Enter")
    ev = ks.event(v, "* MSG")
    ok(ev is not None and ev.endswith(":line one\\nline two\\nline three"),
       tag + " one message, newlines escaped on the wire: " + repr(ev))
    scr = con.wait(lambda s: "Alice: line one" in s and "\n      line two" in s and
                   "\n      line three" in s)
    ok(scr is not None, tag + " the transcript shows the three lines", con.screen())
    con.type("?where is it")
    scr = con.wait(lambda s: "> ?where is it" in s)
    ok(scr is not None and "this help" not in scr,
       tag + " ? on an empty line is typed, not help", con.screen())
    con.keys("Enter")
    ev = ks.event(v, "* MSG")
    ok(ev is not None and ev.endswith(":?where is it"), tag + " a message may start with ?")


def title_cut(d, con, tag):
    """A pane title too long for its pane ends in an ellipsis, never in a
    word cut off ("Tab selects o")."""
    scr = con.wait(lambda s: "No chats yet" in s)
    line = ks.line_with(scr, "No chats yet")
    seg = line.split("No chats yet", 1)[1]
    if "\u2502" in seg:
        seg = seg.split("\u2502", 1)[0]
    seg = seg.rstrip()
    ok(scr is not None and (seg.endswith("in the queue") or seg.endswith("\u2026")),
       tag + " the empty chat pane's title ends whole or in \u2026", line)


SCENARIOS = [     # (function, label, cols, rows)
    (title_cut, "title", 120, 35), (title_cut, "title", 60, 20),
    (columns, "columns", 120, 35), (columns, "columns", 200, 60),
    (card_keys, "card", 80, 24), (card_keys, "card", 120, 35),
    (chinese_wrap, "wrap", 80, 24), (chinese_wrap, "wrap", 120, 35),
    (long_wait, "wait", 80, 24), (long_wait, "wait", 60, 20),
    (help_scrolls, "help", 80, 24), (help_scrolls, "help", 100, 30),
    (help_scrolls, "help", 60, 20), (help_scrolls, "help", 120, 40),
    (key_bar, "keys", 80, 24), (key_bar, "keys", 60, 20),
    (signed_out, "signed-out", 80, 24), (signed_out, "signed-out", 60, 20),
    (multiline, "multiline", 80, 24), (multiline, "multiline", 100, 30),
]


if __name__ == "__main__":
    ks.main(SCENARIOS, T)
