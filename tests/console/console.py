"""console.py - drive the real kefu console in tmux against a real kefud.

What an agent does on an 80x24 terminal: log in, see a visitor arrive in
the queue, accept, exchange messages (Chinese included, checked for
alignment), search and insert a quick reply, handle three chats at once,
transfer one, end another with a wrap-up, survive resizes to 60x20 and
200x60, and ride out the server going away and coming back.
Assertions are on the screen as tmux shows it (capture-pane).
"""
import sys
import time

import kefuscreen as ks

T, ok = ks.tap()
width, col_of, fits = ks.width, ks.col_of, ks.fits


def main():
    kefud, kefu = ks.binaries()
    d = ks.tmpdir()
    srv = ks.Server(kefud, d)
    con = None
    clients = []
    try:
        srv.start()
        con = ks.Console("%s --server 127.0.0.1:%d --user alice --no-bell; sleep 60"
                         % (kefu, srv.port), env={"KEFU_PASSWORD": "alice123"})
        scenario(srv, con, clients)
    finally:
        if con:
            con.close()
        for c in clients:
            c.close()
        srv.stop()
        ks.rmtree(d)
    return T.done()


def expect_msg(client, text, timeout=20):
    """The first '* MSG' event whose text contains text, or None."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            ev = client.expect_event("* MSG", max(0.05, end - time.time()))
        except (TimeoutError, EOFError, OSError):
            return None
        if text in ev:
            return ev
    return None


def hello(srv, clients, args):
    v = ks.Client(srv.port)
    clients.append(v)
    final, _ = v.cmd("HELLO " + args)
    return v, final


def scenario(srv, con, clients):
    scr = con.wait_text("[online]")
    ok(scr is not None, "login: status bar shows the agent online", con.screen())
    ok(scr is not None and "Queue (0)" in scr and "F1Help" in scr,
       "login: four panes and the key line are drawn", scr)

    # a visitor arrives
    v1, final = hello(srv, clients, "name=张三 email=zs@example.com page=/shop "
                      "lang=zh group=sales :我的订单还没有到，请帮忙查一下")
    ok(final.startswith("OK"), "visitor 1 says HELLO")
    scr = con.wait_text("张三: 我的订单")
    ok(scr is not None and "Queue (1)" in scr, "queue: visitor with question shown", con.screen())
    if scr:
        line = [l for l in scr.split("\n") if "张三: 我的订单" in l][0]
        ok(col_of(line, "(no chat") == 41 or col_of(line, "Visitor") == 41 or
           width(line) <= 80, "queue: Chinese text keeps the visitor pane aligned", scr)

    # accept the next visitor
    con.keys("F2")
    scr = con.wait(lambda s: "1:张三" in s and "Email: zs@example.com" in s)
    ok(scr is not None, "accept: chat tab and visitor info appear", con.screen())
    v1.expect_event("* ASSIGNED")

    # agent -> visitor
    con.type("您好，我来帮您查一下 order")
    con.keys("Enter")
    ev = expect_msg(v1, "order")
    ok(ev is not None and "您好，我来帮您查一下 order" in ev, "send: visitor got the agent's message")
    ok(con.wait_text("Alice: 您好，我来帮您查一下 order") is not None,
       "send: message shown in the transcript", con.screen())

    # visitor -> agent, Chinese, aligned
    v1.cmd("TYPING :我的订单号")
    ok(con.wait_text("is typing: 我的订单号") is not None, "typing preview shown", con.screen())
    v1.cmd("SAY :我的订单号是12345，谢谢！")
    scr = con.wait_text("张三: 我的订单号是12345，谢谢！")
    ok(scr is not None, "receive: Chinese message rendered", con.screen())
    if scr:
        lines = scr.split("\n")
        row = [l for l in lines if "12345" in l][0]
        ok(row[:2].isdigit() and row[2] == ":" and col_of(row, "张三") == 6,
           "receive: timestamp column then name at column 6", scr)
        ok(fits(scr, 80, 24), "receive: every line fits 80 cells", scr)
        top = [l for l in lines if l.startswith(" Queue")][0]
        ok(col_of(top, " Visitor") == 41, "layout: visitor pane still at column 41", scr)

    # quick reply search and insert
    con.keys("F4")
    con.type("订单")
    scr = con.wait(lambda s: "Replies (1)" in s and "order: 请提供" in s)
    ok(scr is not None, "replies: server-side search for Chinese text", con.screen())
    con.keys("Enter")
    scr = con.wait(lambda s: "\n> 请提供您的订单号" in s)
    ok(scr is not None, "replies: Enter inserts the reply into the input line", con.screen())
    con.type(" OK?")
    con.keys("Enter")
    ev = expect_msg(v1, "OK?")
    ok(ev is not None and ev.endswith("请提供您的订单号，我们马上查询。 OK?"),
       "replies: edited reply sent to the visitor")

    # two more visitors: three chats at once
    v2, _ = hello(srv, clients, "name=Bob group=tech :printer on fire")
    v3, _ = hello(srv, clients, "name=山田 group=sales :注文について")
    ok(con.wait_text("Queue (2)") is not None, "queue: two more visitors waiting", con.screen())
    con.keys("Tab")          # queue pane
    con.keys("Down")
    con.keys("Enter")        # accept the selected one (second in queue)
    scr = con.wait(lambda s: "2:" in s and "Queue (1)" in s)
    ok(scr is not None, "accept selected: second chat opened from the queue", con.screen())
    con.keys("F2")
    scr = con.wait(lambda s: "3:" in s and "Queue (0)" in s)
    ok(scr is not None and "chats 3/5" in scr, "three chats in parallel", con.screen())
    con.keys("M-1")          # focus chat 1
    v2.cmd("SAY :still burning")
    v3.cmd("SAY :ありがとう")
    scr = con.wait(lambda s: "(1)" in s.split("\n")[7] if len(s.split("\n")) > 7 else False)
    ok(scr is not None, "unread count on a chat not in focus", con.screen())
    con.keys("C-n")
    scr = con.wait(lambda s: "still burning" in s or "ありがとう" in s)
    ok(scr is not None, "Ctrl-N switches to the next chat", con.screen())

    # transfer chat 1 (张三) to bob
    bob = ks.Client(srv.port)
    clients.append(bob)
    bob.cmd("LOGIN bob :bob123")
    con.keys("M-1")
    con.keys("F5")
    scr = con.wait_text("(bob)")
    ok(scr is not None, "transfer: dialog lists agents and groups", con.screen())
    if scr:
        items = [l for l in scr.split("\n") if ("agent " in l or "group " in l)
                 and "Transfer" not in l]
        idx = [i for i, l in enumerate(items) if "(bob)" in l]
        for _ in range(idx[0] if idx else 0):
            con.keys("Down")
    con.type("VIP 客户")
    con.keys("Enter")
    ev = None
    try:
        ev = bob.expect_event("* ASSIGN")
    except (TimeoutError, EOFError):
        pass
    ok(ev is not None and "by=transfer" in ev and "VIP" in ev,
       "transfer: bob got the chat with the note")
    scr = con.wait(lambda s: "1:张三" not in s and "chats 2/5" in s)
    ok(scr is not None, "transfer: chat left alice's list", con.screen())

    # end the focused chat (asks first), then wrap it up
    con.keys("M-1")
    con.keys("F7")
    ok(con.wait_text("End the chat with") is not None, "end: asks first", con.screen())
    con.keys("y")
    ok(con.wait(lambda s: "(ended)" in s and "chats 1/5" in s) is not None,
       "end: the chat stays listed as ended", con.screen())
    con.keys("F7")
    ok(con.wait_text("Category:") is not None, "wrap-up: form opens", con.screen())
    con.type("shipping")
    con.keys("Tab")
    con.type("包裹已重发")
    con.keys("Enter")
    scr = con.wait(lambda s: "wrapped up" in s and "(ended)" not in s)
    ok(scr is not None, "wrap-up: chat wrapped up and closed", con.screen())

    # resize
    con.resize(60, 20)
    scr = con.wait(lambda s: len(s.rstrip("\n").split("\n")) <= 20 and "Queue" in s
                   and fits(s, 60, 20))
    ok(scr is not None, "resize 60x20: all panes fit", con.screen())
    con.resize(200, 60)
    scr = con.wait(lambda s: "Replies" in s and "Visitor" in s and
                   any(col_of(l, "Visitor") > 100 for l in s.split("\n")))
    ok(scr is not None and fits(scr, 200, 60), "resize 200x60: three-column layout", con.screen())
    con.resize(80, 24)
    ok(con.wait(lambda s: "Queue" in s and fits(s, 80, 24)) is not None,
       "resize back to 80x24", con.screen())

    # issue 15 item 10: a name with a bidi override is not shown reversed
    hello(srv, clients, "name=Support\u202enimda group=sales :hi")
    scr = con.wait(lambda s: "Support<U+202E>nimda" in s, 10)
    ok(scr is not None and "\u202e" not in scr,
       "bidi: a name's RLO is shown as <U+202E>, never raw", con.screen())
    hello(srv, clients, "name=Zed group=sales :a\u200bb\ufeff")
    scr = con.wait(lambda s: "Zed: a<U+200B>b<U+FEFF>" in s, 10)
    ok(scr is not None, "bidi: zero-width space and BOM in the question are shown",
       con.screen())

    # the server goes away and comes back
    srv.stop()
    scr = con.wait(lambda s: "reconnecting" in s or "unreachable" in s, 30)
    ok(scr is not None, "server down: console says it is reconnecting", con.screen())
    srv.start()
    scr = con.wait(lambda s: "[online]" in s and "unreachable" not in s and
                   "reconnecting" not in s, 20)
    ok(scr is not None, "server back: console reconnected by itself", con.screen())
    ok(scr is not None and fits(scr, 80, 24) and "Queue" in scr and
       "Bob: printer on fire" in scr, "server back: screen intact, chat restored",
       scr or con.screen())


if __name__ == "__main__":
    sys.exit(main())
