"""console_board.py - the supervisor's desk board (issue 13), driven in tmux.

carol (supervisor) opens the board with F11 / Alt-d: every account's status
and load, every chat an agent has with its agent, visitor, group, age and
how long the visitor has waited; it follows the desk live (* BOARD and
* STATUS, no polling). From it, with keys only: m monitors a chat (a
"(watch)" tab whose input line sends whispers), t takes a chat over, e ends
a stuck one (both ask first). An agent's F11 only says the board is not
theirs. A (watch) tab outlives a restart of kefud: the console monitors
the chat again when it has logged in again (new lines show, whispers go);
a chat that ended while the line was down is marked so in its tab. The bytes the board writes to the terminal per visitor message are
measured. Every wait is a bounded poll of the screen or of a socket.
"""
import os
import sys

import kefuscreen as ks

T, ok = ks.tap()


def board(kefud, kefu, cols, rows):
    tag = "%dx%d board:" % (cols, rows)
    d = ks.tmpdir()
    srv = ks.Server(kefud, d)
    cons, clients = [], []
    try:
        srv.start()
        adm = ks.Client(srv.port); clients.append(adm)
        adm.cmd("LOGIN admin :admin123")
        final, _ = adm.cmd("USERADD carol supervisor groups=sales,tech display=Carol :carol123")
        ok(final == "OK", tag + " admin adds carol, a supervisor", final)
        con = ks.Console.agent(kefu, srv.port, user="carol", password="carol123",
                               cols=cols, rows=rows)
        cons.append(con)
        alice = ks.Client(srv.port); clients.append(alice)
        alice.cmd("LOGIN alice :alice123")
        v1 = ks.Client(srv.port); clients.append(v1)
        final, _ = v1.cmd("HELLO name=张三 group=sales :订单没有到")
        c1 = final.split("chat=")[1].split()[0]
        final, _ = alice.cmd("ACCEPT " + c1)
        ok(final.startswith("OK chat="), tag + " alice accepts 张三", final)

        con.keys("F11")
        # the board fills in as CHATS all, AGENTS and * BOARD lines come:
        # wait for alice's row to show the chat and for the chats table's
        # row of it (its group's name) too, not only the first of them
        scr = con.wait(lambda s: "Desk board:" in s and "#" + c1 in s and
                       "#%s 张三" % c1 in ks.line_with(s, "Alice") and
                       "#" + c1 in ks.line_with(s, "sales"))
        ok(scr is not None, tag + " F11 opens the board with alice's chat", con.screen())
        line = ks.line_with(scr, "sales")
        ok("#" + c1 in line and "Alice" in line and "张三" in line and "sales" in line,
           tag + " the chat row names agent, visitor and group", scr)
        ok(ks.line_with(scr, "Alice").find("1/5") > 0 and "online" in ks.line_with(scr, "Alice"),
           tag + " alice's row: online, load 1/5", scr)
        ok("#%s 张三" % c1 in ks.line_with(scr, "Alice"),
           tag + " alice's longest-waiting chat is 张三's (the question waits)", scr)
        ok(ks.fits(scr, cols, rows), tag + " the board fits the terminal", scr)
        ok(ks.line_with(scr, "Desk board:").rstrip().endswith(", 1 chat"),
           tag + " the title counts 1 chat, not 1 chats", ks.line_with(scr, "Desk board:"))

        alice.cmd("MSG %s :您好" % c1)
        scr = con.wait(lambda s: ks.line_with(s, "Alice").rstrip().endswith("-"))
        ok(scr is not None, tag + " alice answers: no longest wait any more (live)", con.screen())

        bob = ks.Client(srv.port); clients.append(bob)
        bob.cmd("LOGIN bob :bob123")
        bob.cmd("STATUS away")
        scr = con.wait(lambda s: "away" in ks.line_with(s, "Bob"))
        ok(scr is not None, tag + " bob going away shows at once", con.screen())

        # bytes: what the open board writes to the terminal per visitor message
        out = os.path.join(d, "tty.out")
        con.tmux(["pipe-pane", "-t", "0", "-o", "cat >> '%s'" % out])
        ks.settle(out)
        sizes = []
        for i in range(6):
            before = ks.settle(out)
            v1.cmd("SAY :where is it %d" % i)
            alice.cmd("MSG %s :checking %d" % (c1, i))
            sizes.append(ks.settle(out) - before)
        con.tmux(["pipe-pane", "-t", "0"])
        sizes.sort()
        print("# board bytes per visitor message (with the answer): median %d, max %d"
              % (sizes[len(sizes) // 2], sizes[-1]))
        ok(sizes[len(sizes) // 2] < 300, tag + " the open board writes under 300 bytes "
           "per visitor message (median %d)" % sizes[len(sizes) // 2])

        # monitor and whisper
        con.keys("m")
        scr = con.wait(lambda s: "(watch)" in s and "whisper>" in s)
        ok(scr is not None, tag + " m: a (watch) tab with a whisper> prompt", con.screen())
        scr = con.wait(lambda s: "checking 5" in s)
        ok(scr is not None, tag + " the watched chat shows its transcript", con.screen())
        v1.cmd("SAY :还在吗")
        ok(con.wait_text("还在吗") is not None, tag + " and the visitor's new message", con.screen())
        con.type("offer a coupon")
        con.keys("Enter")
        w = ks.event(alice, "* MSG %s " % c1 + "%d whisper" % 16)
        ok(w is not None and w.endswith(":offer a coupon"),
           tag + " Enter sends a WHISPER alice gets", w)
        ok(ks.event(v1, "* MSG %s 16 " % c1, 0.5) is None, tag + " the visitor does not get it")
        con.keys("Escape", "l")
        scr = con.wait(lambda s: "(watch)" not in s)
        ok(scr is not None, tag + " Alt-l stops watching and closes the tab", con.screen())

        # end a stuck chat
        con.keys("Escape", "d")
        con.wait(lambda s: "#" + c1 in s)
        con.keys("e")
        scr = con.wait_text("End chat #" + c1)
        ok(scr is not None, tag + " e asks before ending", con.screen())
        con.keys("y")
        ok(ks.event(alice, "* ENDED " + c1) is not None, tag + " y ends it: alice gets * ENDED")
        scr = con.wait(lambda s: "(ended)" in ks.line_with(s, "sales"))
        ok(scr is not None, tag + " the board shows it ended until alice wraps up", con.screen())
        alice.cmd("WRAPUP %s other :stuck" % c1)
        scr = con.wait(lambda s: "#" + c1 not in s)
        ok(scr is not None, tag + " wrapped up: gone from the board", con.screen())

        # take over
        v2 = ks.Client(srv.port); clients.append(v2)
        final, _ = v2.cmd("HELLO name=Ann group=tech :printer")
        c2 = final.split("chat=")[1].split()[0]
        alice.cmd("ACCEPT " + c2)
        con.wait(lambda s: "#" + c2 in s)
        con.keys("t")
        ok(con.wait_text("Take over chat #" + c2) is not None, tag + " t asks first", con.screen())
        con.keys("y")
        un = ks.event(alice, "* UNASSIGNED " + c2)
        ok(un is not None and "reason=takeover" in un, tag + " y: alice loses the chat", un)
        scr = con.wait(lambda s: "Desk board" not in s and "Ann" in s and "Chats:" in s)
        ok(scr is not None, tag + " carol has Ann's chat in a tab", con.screen())
        con.type("I will help you")
        con.keys("Enter")
        m = ks.event(v2, "* MSG " + c2)
        ok(m is not None and m.endswith(":I will help you"), tag + " and talks to Ann", m)

        # an agent's console: F11 is not theirs
        if cols == 80:
            acon = ks.Console.agent(kefu, srv.port, user="bob", password="bob123",
                                    cols=cols, rows=rows)
            cons.append(acon)
            acon.keys("F11")
            ok(acon.wait_text("for supervisors and admins") is not None,
               tag + " an agent's F11 says the board is for supervisors", acon.screen())
    finally:
        for c in cons:
            c.close()
        for c in clients:
            c.close()
        srv.stop()
        ks.rmtree(d)


class Watched:
    """A kefud, and carol's console (through a relay when relay is set)
    watching the chat alice has with a visitor; alice's last line in it is
    `line`. Everything is closed on leaving the with block."""

    def __init__(self, kefud, kefu, cols, rows, tag, line, relay=False):
        self.kefu, self.cols, self.rows, self.tag, self.line = kefu, cols, rows, tag, line
        self.d = ks.tmpdir()
        self.srv = ks.Server(kefud, self.d)
        self.relay, self.want_relay = None, relay
        self.cons, self.clients = [], []

    def client(self, login=None):
        c = ks.Client(self.srv.port)
        self.clients.append(c)
        if login:
            c.cmd("LOGIN %s :%s123" % (login, login))
        return c

    def __enter__(self):
        self.srv.start()
        if self.want_relay:
            self.relay = ks.Proxy(self.srv.port)
        self.client("admin").cmd("USERADD carol supervisor groups=sales,tech "
                                 "display=Carol :carol123")
        self.con = ks.Console.agent(self.kefu, self.relay.port if self.relay else
                                    self.srv.port, user="carol", password="carol123",
                                    cols=self.cols, rows=self.rows)
        self.cons.append(self.con)
        self.alice = self.client("alice")
        final, _ = self.client().cmd("HELLO name=李四 group=sales :退款")
        self.chat = c = final.split("chat=")[1].split()[0]
        self.alice.cmd("ACCEPT " + c)
        self.alice.cmd("MSG %s :%s" % (c, self.line))
        self.con.keys("F11")
        self.con.wait(lambda s: "Desk board:" in s and "#%s 李四" % c in s)
        self.con.keys("m")
        scr = self.con.wait(lambda s: "(watch)" in s and self.line in s)
        ok(scr is not None, self.tag + " m: carol watches the chat", self.con.screen())
        return self

    def __exit__(self, *exc):
        for x in self.cons + self.clients:
            x.close()
        if self.relay is not None:
            self.relay.close()
        self.srv.stop()
        ks.rmtree(self.d)
        return False


def rewatch(kefud, kefu, cols, rows):
    """A watched chat's tab is watched again after the console reconnects
    (kefud restarted): it shows what was said since, and what is typed in
    it still goes to the agent as a whisper."""
    tag = "%dx%d rewatch:" % (cols, rows)
    with Watched(kefud, kefu, cols, rows, tag, "before the restart") as w:
        con, c = w.con, w.chat
        for x in w.clients:
            x.close()
        w.clients = []
        w.srv.stop()
        ok(con.wait(lambda s: "[disconnected]" in s, 30) is not None,
           tag + " kefud stops: the console is disconnected", con.screen())
        w.srv.start()
        scr = con.wait(lambda s: "[online]" in s and "(watch)" in s, 60)
        ok(scr is not None, tag + " kefud is back: reconnected, the (watch) tab is still there",
           con.screen())
        alice = w.client()
        final, _ = alice.cmd("LOGIN alice :alice123")
        ok(final.startswith("OK"), tag + " alice logs in again within her grace", final)
        # whether the console's MONITOR comes before this line (then its
        # event shows it) or after (then the transcript it fetches again
        # does), the line shows only if the tab is watched again
        alice.cmd("MSG %s :after the restart" % c)
        scr = con.wait(lambda s: "after the restart" in s, 30)
        ok(scr is not None, tag + " a line alice writes after the restart shows in the tab",
           con.screen())
        con.type("check the refund")
        con.keys("Enter")
        m = ks.event(alice, "* MSG %s " % c, 15)
        while m is not None and " whisper " not in m:    # her own line first
            m = ks.event(alice, "* MSG %s " % c, 15)
        ok(m is not None and " whisper " in m and m.endswith(":check the refund"),
           tag + " Enter in the tab still whispers to alice", m)


def unwatchable(kefud, kefu, cols, rows):
    """The watched chat ends while the console's line is down (kefud stays
    up: the console talks through a relay that is cut): once back, the tab
    says it is not watched any more, marked ended, instead of waiting for
    lines that never come."""
    tag = "%dx%d unwatchable:" % (cols, rows)
    with Watched(kefud, kefu, cols, rows, tag, "while watched", relay=True) as w:
        con = w.con
        w.relay.cut()
        ok(con.wait(lambda s: "[disconnected]" in s, 30) is not None,
           tag + " the line is cut: carol's console is disconnected", con.screen())
        final, _ = w.alice.cmd("END " + w.chat)
        ok(final == "OK", tag + " alice ends the chat meanwhile", final)
        w.relay.mend()
        scr = con.wait(lambda s: "[online]" in s and "no longer watched" in s, 60)
        ok(scr is not None, tag + " back online, the tab says it is no longer watched",
           con.screen())
        ok(scr is not None and "(ended" in ks.line_with(scr, "Chats:"),
           tag + " and marks it ended", scr)


def main():
    kefud, kefu = ks.binaries()
    for cols, rows in ((80, 24), (120, 35)):
        board(kefud, kefu, cols, rows)
    rewatch(kefud, kefu, 80, 24)    # the layout plays no part in these
    unwatchable(kefud, kefu, 80, 24)
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
