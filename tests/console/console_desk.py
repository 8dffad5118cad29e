"""console_desk.py - the console in the situations a working agent meets.

Each scenario starts its own kefud and a console in tmux (80x24 and at
least one other size), plays the other side with protocol clients and
checks what the agent sees: quitting with open chats, the queue order
after a chat is put back at the head, visitors who leave and come back,
being invited into a colleague's chat, the page trail, the answer
countdown of auto-assigned chats, a returning visitor's name, and ending
a chat before wrapping it up (so a late rating is seen).
Every wait is a bounded poll of the screen or of a socket.
"""

import kefuscreen as ks

T, ok = ks.tap()


def quit_asks(d, con, tag):
    adm = d.client("admin")     # an admin is told of every status change
    d.visitor("name=Ann group=sales :hi")
    con.wait_text("Queue (1)")
    con.keys("F2")
    ok(con.wait_text("1:Ann") is not None, tag + " a chat is open",
       con.screen())
    con.keys("F10")
    scr = con.wait_text("1 chat open: quit? y/N")
    ok(scr is not None and ks.fits(scr, d.cols, d.rows),
       tag + " F10 asks when chats are open", con.screen())
    con.keys("n")
    scr = con.wait(lambda s: "quit? y/N" not in s and "1:Ann" in s)
    ok(scr is not None, tag + " n keeps the console running",
       con.screen())
    con.keys("C-c")
    ok(con.wait_text("quit? y/N") is not None, tag + " Ctrl-C asks too",
       con.screen())
    con.keys("y")
    ok(con.wait_text("kefu-exit=0") is not None, tag + " y quits",
       con.screen())
    ev = ks.event(adm, "* STATUS alice status=away")
    ok(ev is not None, tag + " the agent was set away before leaving")


def quit_without_chats(d, con, tag):
    con.keys("F10")
    ok(con.wait_text("kefu-exit=0") is not None,
       tag + " without open chats F10 quits at once", con.screen())


def queue_rows(scr):
    """Names of the queue rows, top to bottom, and the row marked '>'."""
    names, marked = [], None
    lines = scr.split("\n")
    top = [i for i, l in enumerate(lines) if l.startswith(" Queue (")]
    if not top:
        return names, marked
    for line in lines[top[0] + 1:]:
        cell = line[:28] if not line.startswith(" Chats") else ""
        for who in ("Ann", "Ben", "Cat", "Dan"):
            if who + ":" in cell:
                names.append(who)
                if cell.startswith(">"):
                    marked = who
        if not cell.strip() or line.startswith(" Chats"):
            break
    return names, marked


def queue_order(d, con, tag):
    d.visitor("name=Ann group=sales :first")
    d.visitor("name=Ben group=sales :second")
    _, cat = d.visitor("name=Cat group=sales :third")
    con.wait_text("Queue (3)")
    bob = d.client("bob")
    bob.cmd("ACCEPT " + cat["chat"])
    con.wait_text("Queue (2)")
    bob.cmd("TRANSFER %s group sales :back to the queue" % cat["chat"])
    scr = con.wait(lambda s: queue_rows(s)[0] == ["Cat", "Ann", "Ben"])
    ok(scr is not None, tag + " a chat put back at the head is listed first",
       con.screen())
    _, srows = bob.cmd("QUEUE sales")
    server = [r.split("name=")[1].split()[0] for r in srows]
    ok(server == ["Cat", "Ann", "Ben"], tag + " the server's order is the same " + str(server))
    ok(scr is not None and queue_rows(scr)[1] == "Cat",
       tag + " the head row is highlighted", scr)
    con.keys("F2")
    ev = None
    ok(con.wait(lambda s: "1:Cat" in s) is not None, tag + " F2 takes the highlighted Cat",
       con.screen())
    # the agent picks Ben; a chat put back at the head must not move the pick
    con.keys("Tab")
    con.keys("Down")
    scr = con.wait(lambda s: queue_rows(s)[1] == "Ben")
    ok(scr is not None, tag + " Down highlights Ben", con.screen())
    bob.cmd("ACCEPT")       # bob takes Ann, the head
    bob.cmd("TRANSFER %s group sales" % d_chat_of(bob, "Ann"))
    scr = con.wait(lambda s: queue_rows(s)[0] == ["Ann", "Ben"])
    ok(scr is not None and queue_rows(scr)[1] == "Ben",
       tag + " the highlight stays on Ben when Ann comes back at the head", con.screen())
    con.keys("Enter")
    ev = con.wait(lambda s: "2:Ben" in s)
    ok(ev is not None, tag + " Enter accepts the highlighted Ben", con.screen())


def d_chat_of(agent, name):
    _, rows = agent.cmd("CHATS")
    for r in rows:
        if "name=%s " % name in r + " ":
            return r.split()[1]
    return "0"


def left_and_back(d, con, tag):
    v, info = d.take("name=Ann group=sales :hello")
    v.close()
    scr = con.wait(lambda s: "1:Ann(left)" in s and "* LEFT" in s)
    ok(scr is not None, tag + " the tab and the card header flag * LEFT", con.screen())
    v2 = d.client()
    v2.cmd("HELLO token=" + info["token"])
    scr = con.wait(lambda s: "1:Ann" in s and "(left)" not in s and
                   "* LEFT" not in s and "visitor is back" in s)
    ok(scr is not None, tag + " * BACK clears the flag and says so", con.screen())
    # a visitor gone before the chat was accepted: ASSIGN left=1
    w, _ = d.visitor("name=Ben group=sales :anyone?")
    con.wait_text("Ben: anyone?")
    w.close()
    con.keys("F2")
    scr = con.wait(lambda s: "2:Ben(left)" in s)
    ok(scr is not None, tag + " accepted after the visitor left: flagged at once",
       con.screen())


def invited(d, con, tag):
    bob = d.client("bob")
    _, info = d.visitor("name=Ann group=sales :help")
    bob.cmd("ACCEPT " + info["chat"])
    bob.cmd("INVITE %s alice" % info["chat"])
    scr = con.wait(lambda s: "1:Ann+" in s and "chats 0/5" in s)
    ok(scr is not None, tag + " the tab marks an invited chat; it does not count",
       con.screen())
    con.keys("F7")
    scr = con.wait_text("Leave the chat with Ann? y/N")
    ok(scr is not None and "ERR" not in scr and "failed" not in scr,
       tag + " F7 offers to leave instead of failing", con.screen())
    con.keys("y")
    scr = con.wait(lambda s: "1:Ann" not in s and "left chat #" in s)
    ok(scr is not None, tag + " y leaves the chat", con.screen())
    # invited again; the owner ends and wraps up
    bob.cmd("INVITE %s alice" % info["chat"])
    con.wait_text("1:Ann+")
    bob.cmd("END " + info["chat"])
    bob.cmd("WRAPUP %s general :done" % info["chat"])
    scr = con.wait(lambda s: "1:Ann+(ended)" in s and "chats 0/5" in s)
    ok(scr is not None, tag + " after the owner's wrap-up: ended, chats 0", con.screen())
    con.keys("M-l")
    scr = con.wait(lambda s: "1:Ann" not in s)
    ok(scr is not None, tag + " Alt-l closes the ended chat", con.screen())
    # alice invites bob from the keys
    _, info2 = d.take("name=Ben group=sales :second")
    con.keys("M-i")
    scr = con.wait(lambda s: "Invite a colleague" in s and "bob" in s)
    ok(scr is not None, tag + " Alt-i lists the colleagues online", con.screen())
    con.keys("Enter")
    ev = ks.event(bob, "* ASSIGN %s" % info2["chat"])
    ok(ev is not None and "by=invite" in ev, tag + " Enter invites bob")


def pages(d, con, tag):
    v1, _ = d.visitor("name=Ann page=/shop group=sales :one")
    con.wait_text("Queue (1)")
    con.keys("F2")
    ok(con.wait(lambda s: "Pages: /shop" in s) is not None, tag + " first page shown",
       con.screen())
    v1.cmd("PAGE /cart :Cart")
    scr = con.wait(lambda s: "Pages: /cart - Cart < /shop" in s)
    ok(scr is not None, tag + " * PAGE puts the new page first", con.screen())
    d.visitor("name=Ben page=/help group=sales :two")
    con.wait_text("Queue (1)")
    con.keys("F2")
    scr = con.wait(lambda s: "2:Ben" in s and "Pages: /help" in s and "/cart" not in s)
    ok(scr is not None, tag + " the card follows the chat in focus", con.screen())
    con.keys("M-1")
    scr = con.wait(lambda s: "Pages: /cart" in s and "/help" not in s)
    ok(scr is not None, tag + " and back to the first chat's trail", con.screen())


def countdown(d, con, tag):
    bob = d.client("bob")
    bob.cmd("STATUS away")
    d.visitor("name=Ann group=sales :auto one")
    scr = con.wait(lambda s: "1:Ann(answer 0:0" in s and "answer within" in s)
    ok(scr is not None, tag + " an auto-assigned chat counts down", con.screen())
    bob.cmd("STATUS online")    # someone else to route the chat to
    scr = con.wait(lambda s: "1:Ann" not in s and "Not answered in time" in s, 15)
    ok(scr is not None, tag + " when it runs out the chat goes and the agent is told why",
       con.screen())
    ok(ks.event(bob, "* ASSIGN") is not None, tag + " (it went to bob)")
    # answered in time: the countdown stops
    bob.cmd("STATUS away")
    d.visitor("name=Cat group=sales :auto two")
    scr = con.wait(lambda s: "1:Cat(answer" in s)
    ok(scr is not None, tag + " the next one counts down too", con.screen())
    con.type("hello")
    con.keys("Enter")
    scr = con.wait(lambda s: "Alice: hello" in s and "(answer" not in s and
                   "answer within" not in s)
    ok(scr is not None, tag + " answering stops the countdown", con.screen())


def resumed_name(d, con, tag):
    bob = d.client("bob")
    v, info = d.visitor("name=王五 group=sales :first visit")
    bob.cmd("ACCEPT " + info["chat"])
    bob.cmd("WRAPUP %s general :done" % info["chat"])
    v2 = d.client()
    v2.cmd("HELLO token=%s group=sales :我又来了" % info["token"])
    scr = con.wait(lambda s: "王五: 我又来了" in s)
    ok(scr is not None, tag + " the queue uses the stored name", con.screen())
    con.keys("F2")
    scr = con.wait(lambda s: "1:王五" in s and "Visitor: 王五" in s)
    ok(scr is not None, tag + " the tab and the card use it too", con.screen())
    v2.cmd("SAY :在吗")
    scr = con.wait(lambda s: "王五: 在吗" in s)
    ok(scr is not None, tag + " the transcript uses it", con.screen())


def two_step_end(d, con, tag):
    v, info = d.take("name=Ann group=sales :bye soon")
    con.keys("F7")
    ok(con.wait_text("End the chat with Ann? y/N") is not None, tag + " F7 asks",
       con.screen())
    con.keys("y")
    scr = con.wait(lambda s: "1:Ann(ended)" in s and "chats 0/5" in s)
    ok(scr is not None, tag + " y ends; the chat stays listed", con.screen())
    ok(ks.event(v, "* ENDED") is not None, tag + " the visitor was told")
    v.cmd("RATE 5 :谢谢")
    scr = con.wait(lambda s: "visitor rated 5: 谢谢" in s and "(ended, rated)" in s)
    ok(scr is not None, tag + " a rating after the end is shown", con.screen())
    con.keys("F7")
    scr = con.wait(lambda s: "Category:" in s and "rated it 5" in s)
    ok(scr is not None, tag + " F7 again opens the wrap-up with the rating", con.screen())
    con.type("general")
    con.keys("Enter")
    scr = con.wait(lambda s: "1:Ann" not in s and "wrapped up" in s)
    ok(scr is not None, tag + " the wrap-up closes the chat", con.screen())


def history_view(d, con, tag):
    bob = d.client("bob")
    v, info = d.visitor("name=Ann group=sales :parcel 777 lost")
    bob.cmd("ACCEPT " + info["chat"])
    bob.cmd("MSG %s :resending parcel 777 today" % info["chat"])
    bob.cmd("WRAPUP %s shipping :resent" % info["chat"])
    v2 = d.client()
    v2.cmd("HELLO token=%s group=sales :back again" % info["token"])
    con.wait_text("Queue (1)")
    con.keys("F2")
    con.wait_text("1:Ann")
    con.keys("M-p")
    scr = con.wait(lambda s: "past chats" in s and "bob shipping: resent" in s)
    ok(scr is not None, tag + " Alt-p lists the visitor's past chats", con.screen())
    con.keys("Enter")
    scr = con.wait(lambda s: "read-only" in s and "Ann: parcel 777 lost" in s and
                   "Bob: resending parcel 777" in s)
    ok(scr is not None, tag + " Enter opens its transcript read-only", con.screen())
    con.keys("Escape")
    ok(con.wait(lambda s: "read-only" not in s) is not None, tag + " Esc closes it",
       con.screen())
    con.keys("F9")
    con.wait_text("Search:")
    con.type("777")
    con.keys("Enter")
    scr = con.wait(lambda s: "Enter opens the chat" in s and "#%s" % info["chat"] in s)
    ok(scr is not None, tag + " F9 finds the old chat", con.screen())
    con.keys("Enter")
    scr = con.wait(lambda s: "read-only" in s and "Ann: parcel 777 lost" in s)
    ok(scr is not None, tag + " Enter on a hit opens that chat read-only", con.screen())
    con.keys("Escape")
    con.wait(lambda s: "read-only" not in s)
    con.keys("F9")
    con.wait_text("Search:")
    con.type("nothing-like-this")
    con.keys("Enter")
    ok(con.wait_text("no matches") is not None, tag + " a search without hits says so",
       con.screen())


def transfer_list(d, con, tag):
    adm = d.client("admin")
    adm.cmd("USERSET bob display=小王")
    adm.cmd("LOGOUT")
    bob = d.client("bob")       # bob is online; admin is not logged in
    d.take("name=Ann group=sales :hi")
    con.keys("F5")
    scr = con.wait(lambda s: "小王 (bob)" in s and "group tech" in s and "agent admin" in s)
    ok(scr is not None, tag + " the transfer list shows display names", con.screen())
    rows = [l for l in (scr or "").split("\n")
            if ("agent " in l or "group " in l) and "Transfer chat" not in l]
    first = [i for i, l in enumerate(rows) if "小王 (bob)" in l]
    out = [i for i, l in enumerate(rows) if "agent admin" in l]
    grp = [i for i, l in enumerate(rows) if "group sales" in l]
    ok(first == [0] and grp and out and grp[0] < out[0] and "offline" in rows[out[0]],
       tag + " online agents first, then groups, then those who are out", scr)
    ok(len(rows) > 1 and ks.col_of(rows[first[0] if first else 0], "online") ==
       ks.col_of(rows[out[0] if out else 0], "offline") > 0,
       tag + " the status column lines up after a Chinese display name", scr)
    con.keys("Enter")
    ev = ks.event(bob, "* ASSIGN")
    ok(ev is not None and "by=transfer" in ev, tag + " Enter gives the chat to the "
       "preselected online agent")


def paste(d, con, tag):
    """A paragraph pasted into the input line (bracketed paste) is one
    message, its line breaks kept; a paste never acts like Enter or Tab."""
    v, info = d.take("name=赵六 group=sales :怎么退货")
    con.tmux(["set-buffer", "退货步骤:\n1. 打开订单\n2. 点击退货\tOK"])
    con.tmux(["paste-buffer", "-p", "-t", "0"])
    scr = con.wait(lambda s: "点击退货" in s and "↵" in s)
    ok(scr is not None, tag + " the pasted lines wait in the input line, joined by ↵", con.screen())
    con.keys("Enter")
    ev = ks.event(v, "* MSG %s " % info["chat"])
    ok(ev is not None and ev.split(" :", 1)[1] == "退货步骤:\\n1. 打开订单\\n2. 点击退货 OK",
       tag + " Enter sends the whole paste as one message", ev)


SCENARIOS = [     # (function, label, cols, rows, server settings)
    (paste, "paste", 80, 24), (paste, "paste", 120, 35),
    (quit_asks, "quit", 80, 24), (quit_asks, "quit", 60, 20),
    (quit_without_chats, "quit", 80, 24),
    (queue_order, "queue", 80, 24), (queue_order, "queue", 120, 35),
    (left_and_back, "left", 80, 24), (left_and_back, "left", 100, 30),
    (invited, "invited", 80, 24), (invited, "invited", 120, 35),
    (pages, "pages", 80, 24), (pages, "pages", 120, 35),
    (countdown, "countdown", 80, 24, {"answer_timeout": 3, "sales_mode": "auto"}),
    (countdown, "countdown", 60, 20, {"answer_timeout": 3, "sales_mode": "auto"}),
    (resumed_name, "name", 80, 24), (resumed_name, "name", 100, 30),
    (two_step_end, "end", 80, 24), (two_step_end, "end", 60, 20),
    (history_view, "history", 80, 24), (history_view, "history", 100, 30),
    (transfer_list, "transfer", 80, 24), (transfer_list, "transfer", 120, 35),
]


if __name__ == "__main__":
    ks.main(SCENARIOS, T)
