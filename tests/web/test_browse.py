#!/usr/bin/env python3
"""test_browse - browsing visitors and proactive invitation (主动邀请) over
the WebSocket door: BROWSE when a page opens, VISITORS (rows, pages, the
live events * ARRIVED / * MOVED / * DEPARTED for watchers only), the page
change that keeps the same visitor, ENGAGE and INVITATION accept/decline,
timeout and cool-down; who may do what (roles) and who sees what (groups,
and no visitor ever sees another's data); the caps that keep browsing
connections from exhausting the server; invite.* reloaded by SIGHUP."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsclient import WSClient  # noqa: E402
from kefutest import Server, Tap, kv, text  # noqa: E402

t = Tap()
WAIT = 20


def ws(srv):
    return WSClient(srv.http_port, origin="http://127.0.0.1:%d" % srv.http_port,
                    timeout=WAIT)


def browse(srv, args="page=http://shop.example/a referrer=https://search.example/q lang=zh :首页"):
    w = ws(srv)
    final, _ = w.cmd("BROWSE " + args)
    return w, final


def rows_by_id(rows):
    out = {}
    for r in rows:
        out[r.split()[0]] = r
    return out


def agent(srv, name):
    a = srv.client()
    a.login(name)
    return a


def test_browse_and_list(srv):
    a = agent(srv, "alice")
    final, rows = a.cmd("VISITORS watch=1")
    t.ok(final == "OK 0", "VISITORS with nobody on the site: OK 0", final)
    b1, final = browse(srv)
    info = kv(final)
    t.ok(final and final.startswith("OK browse=") and len(info.get("token", "")) == 32
         and int(info.get("since", 0)) > 0, "BROWSE over WebSocket: OK browse=B token=T since=S", final)
    bid = info.get("browse")
    ev = a.expect_event("ARRIVED %s " % bid, WAIT)
    f = kv(ev)
    t.ok(ev is not None and f.get("group") == "sales" and f.get("page") == "http://shop.example/a"
         and f.get("referrer") == "https://search.example/q" and f.get("addr") == "127.0.0.1"
         and f.get("lang") == "zh" and text(ev) == "首页",
         "a watching agent gets * ARRIVED with group, page, referrer, addr, lang and title", ev)
    final, rows = a.cmd("VISITORS")
    row = rows_by_id(rows).get(bid)
    t.ok(final == "OK 1" and row is not None and kv(row).get("since") == info.get("since")
         and text(row) == "首页", "VISITORS lists the browser with the same fields", (final, rows))
    t.eq(b1.cmd("WHOAMI")[0], "OK role=browser browse=%s" % bid, "WHOAMI of a browser")
    # a page change on the same connection
    t.eq(b1.cmd("PAGE http://shop.example/b :商品")[0], "OK", "PAGE of a browser")
    ev = a.expect_event("MOVED %s " % bid, WAIT)
    t.ok(ev is not None and kv(ev).get("page") == "http://shop.example/b" and text(ev) == "商品",
         "* MOVED with the new page and title", ev)
    # another page: the old socket closes, the new one names the same visitor
    token = info["token"]
    b1.close()
    b1, final = browse(srv, "page=http://shop.example/c token=%s :结账" % token)
    t.ok(kv(final).get("browse") == bid and kv(final).get("since") == info.get("since"),
         "BROWSE token=T on the next page: the same visitor, same arrival time", final)
    ev = a.expect_event("MOVED %s " % bid, WAIT)
    t.ok(ev is not None and kv(ev).get("page") == "http://shop.example/c",
         "a page change is * MOVED, not a departure and an arrival", ev)
    t.ok(a.no_event("ARRIVED %s " % bid, 0.3) and a.no_event("DEPARTED %s" % bid, 0.1),
         "no * ARRIVED or * DEPARTED for a page change")
    # an agent that did not ask for the events gets none
    bob = agent(srv, "bob")
    b2, final = browse(srv, "page=http://shop.example/x")
    b2id = kv(final).get("browse")
    a.expect_event("ARRIVED %s " % b2id, WAIT)
    t.ok(bob.no_event("ARRIVED", 0.5), "an agent without watch=1 gets no browse events")
    t.ok(b1.no_event("ARRIVED", 0.3), "a browser never hears of another browser")
    # watch=0 stops them
    a.ok("VISITORS watch=0 limit=1")
    b3, final = browse(srv)
    t.ok(a.no_event("ARRIVED", 0.5), "VISITORS watch=0: no more events")
    a.ok("VISITORS watch=1 limit=1")
    # pages
    final, rows = a.cmd("VISITORS limit=2")
    t.ok(final == "OK 2 next=2" and len(rows) == 2, "VISITORS limit=2 of 3: a page with next=2", final)
    final, rows = a.cmd("VISITORS from=2 limit=2")
    t.ok(final == "OK 1" and len(rows) == 1, "VISITORS from=2: the rest", final)
    # departure after browse.linger
    b3id = kv(final).get("browse")
    b2.close()
    ev = a.expect_event("DEPARTED %s " % b2id, WAIT)
    t.ok(ev is not None and kv(ev).get("reason") == "left",
         "a browser whose page closed departs after browse.linger: reason=left", ev)
    final, rows = a.cmd("VISITORS")
    t.ok(b2id not in rows_by_id(rows), "and leaves the list")
    b3.close()
    a.expect_event("DEPARTED", WAIT)
    return a, b1, bid, token


def test_roles(srv, a, b1, bid):
    t.eq(b1.cmd("VISITORS")[0].split()[:2], ["ERR", "DENIED"], "a browser may not list visitors")
    t.eq(b1.cmd("ENGAGE %s :hi" % bid)[0].split()[:2], ["ERR", "DENIED"], "a browser may not invite")
    t.eq(b1.cmd("BROWSE page=/x")[0].split()[:2], ["ERR", "DENIED"], "BROWSE twice on a connection")
    t.eq(b1.cmd("SAY :hi")[0].split()[:2], ["ERR", "DENIED"], "a browser has no chat to SAY in")
    t.eq(b1.cmd("INVITATION accept")[0].split()[:2], ["ERR", "STATE"],
         "INVITATION with nothing pending: ERR STATE")
    fresh = ws(srv)
    t.eq(fresh.cmd("INVITATION decline")[0].split()[:2], ["ERR", "NOAUTH"],
         "INVITATION before BROWSE: ERR NOAUTH")
    t.eq(fresh.cmd("VISITORS")[0].split()[:2], ["ERR", "DENIED"],
         "VISITORS over the web door: ERR DENIED")
    fresh.close()
    v = srv.client()
    v.hello("name=访客 group=tech :问题")
    t.eq(v.cmd("INVITATION accept")[0].split()[:2], ["ERR", "DENIED"], "a visitor in a chat has no INVITATION")
    t.eq(v.cmd("BROWSE")[0].split()[:2], ["ERR", "DENIED"], "a visitor in a chat may not BROWSE")
    v.ok("END")
    tcp = srv.client()
    final, _ = tcp.cmd("BROWSE page=/tcp :over\\sTCP")
    t.ok(final.startswith("OK browse="), "BROWSE over TCP too", final)
    tcp.close()
    for args, code, why in [("name=x", "ARGS", "an unknown field"),
                            ("page=" + "x" * 1100, "ARGS", "a page over 1024 bytes"),
                            ("group=nosuch", "NOTFOUND", "an unknown group"),
                            ("page=/p :" + "t" * 300, "ARGS", "a title over 256 bytes")]:
        w = ws(srv)
        t.eq(w.cmd("BROWSE " + args)[0].split()[:2], ["ERR", code], "BROWSE with %s: ERR %s" % (why, code))
        w.close()
    t.eq(a.cmd("ENGAGE 99999 :hi")[0].split()[:2], ["ERR", "NOTFOUND"], "ENGAGE of nobody: ERR NOTFOUND")
    t.eq(a.cmd("ENGAGE %s" % bid)[0].split()[:2], ["ERR", "ARGS"], "ENGAGE without a text: ERR ARGS")
    t.eq(a.cmd("VISITORS watch=2")[0].split()[:2], ["ERR", "ARGS"], "VISITORS watch=2: ERR ARGS")


def test_groups(srv):
    adm = agent(srv, "admin")
    adm.ok("USERADD dave agent groups=tech :dave12345")
    dave = srv.client()
    dave.login("dave", "dave12345")
    dave.ok("VISITORS watch=1")
    carol = agent(srv, "carol")
    carol.ok("VISITORS watch=1")
    bs, final = browse(srv, "group=sales page=/sales")
    sid = kv(final)["browse"]
    bt, final = browse(srv, "group=tech page=/tech")
    tid = kv(final)["browse"]
    ev = dave.expect_event("ARRIVED", WAIT)
    t.ok(ev is not None and ev.startswith("ARRIVED %s " % tid),
         "an agent of tech gets * ARRIVED for the tech page only", ev)
    t.ok(dave.no_event("ARRIVED %s " % sid, 0.3), "... not for a sales one")
    t.ok(carol.expect_event("ARRIVED %s " % sid, WAIT) and carol.expect_event("ARRIVED %s " % tid, WAIT),
         "a supervisor gets both")
    final, rows = dave.cmd("VISITORS")
    t.ok(tid in rows_by_id(rows) and sid not in rows_by_id(rows), "VISITORS of an agent: their groups only", rows)
    t.eq(dave.cmd("VISITORS sales")[0].split()[:2], ["ERR", "DENIED"], "VISITORS <group> not theirs: ERR DENIED")
    t.eq(dave.cmd("ENGAGE %s :hi" % sid)[0].split()[:2], ["ERR", "DENIED"],
         "ENGAGE of a visitor in another group: ERR DENIED")
    final, rows = carol.cmd("VISITORS tech")
    t.ok(list(rows_by_id(rows)) == [tid], "VISITORS tech: that group only", rows)
    bs.close()
    bt.close()
    for c in (dave, carol, adm):
        c.close()


def test_invite(srv, a, b1, bid, token):
    other, final = browse(srv, "page=/other")
    oid = kv(final)["browse"]
    a.ok("ENGAGE %s :您好,需要帮忙吗?" % bid)
    ev = b1.expect_event("INVITATION %s " % bid, WAIT)
    t.ok(ev is not None and kv(ev).get("agent") == "Alice" and text(ev) == "您好,需要帮忙吗?",
         "the browser gets * INVITATION with the agent and the text", ev)
    t.ok(other.no_event("INVITATION", 0.5), "another browser gets nothing of it")
    final, rows = a.cmd("VISITORS")
    t.eq(kv(rows_by_id(rows).get(bid)).get("invited"), "alice", "VISITORS shows invited=NAME")
    bob = agent(srv, "bob")
    t.eq(bob.cmd("ENGAGE %s :again" % bid)[0].split()[:2], ["ERR", "STATE"],
         "a second invitation while one is pending: ERR STATE")
    t.eq(other.cmd("INVITATION accept")[0].split()[:2], ["ERR", "STATE"],
         "another browser cannot answer someone else's invitation")
    # the invitation follows the visitor to the next page
    b1.close()
    b1, final = browse(srv, "page=/next token=%s" % token)
    t.eq(kv(final).get("browse"), bid, "the next page: the same visitor")
    ev = b1.expect_event("INVITATION %s " % bid, WAIT)
    t.ok(ev is not None and text(ev) == "您好,需要帮忙吗?", "the pending invitation shows again on the next page", ev)
    # decline
    t.eq(b1.cmd("INVITATION decline")[0], "OK", "INVITATION decline")
    ev = a.expect_event("ENGAGE %s " % bid, WAIT)
    t.eq(kv(ev).get("result"), "declined", "the agent is told: * ENGAGE B result=declined")
    t.ok(bob.no_event("ENGAGE", 0.3), "another agent is not")
    final = a.cmd("ENGAGE %s :再试一次" % bid)[0]
    t.ok(final.startswith("ERR STATE") and "invite.cooldown" in final,
         "invite again within invite.cooldown: ERR STATE with the wait", final)
    deadline = time.time() + WAIT
    while time.time() < deadline:
        final = a.cmd("ENGAGE %s :现在可以吗?" % bid)[0]
        if final == "OK":
            break
        time.sleep(0.2)
    t.eq(final, "OK", "after the cool-down the agent may invite again")
    b1.expect_event("INVITATION %s " % bid, WAIT)
    # accept: a chat that is the agent's, opened with their words
    final, _ = b1.cmd("INVITATION accept name=李雷")
    info = kv(final)
    t.ok(final.startswith("OK visitor=") and "chat" in info and "token" in info,
         "INVITATION accept answers like HELLO: OK visitor=V chat=C token=T", final)
    chat = info.get("chat")
    ev = b1.expect_event("ASSIGNED %s " % chat, WAIT)
    t.ok(ev is not None and kv(ev).get("agent") == "Alice", "the visitor's chat is Alice's at once", ev)
    ev = b1.expect_event("MSG %s " % chat, WAIT)
    t.ok(ev is not None and text(ev) == "现在可以吗?" and ev.split()[3] == "agent",
         "the invitation opens the transcript as the agent's message", ev)
    ev = a.expect_event("ENGAGE %s " % bid, WAIT)
    t.ok(kv(ev).get("result") == "accepted" and kv(ev).get("chat") == chat,
         "the agent: * ENGAGE B result=accepted chat=C", ev)
    ev = a.expect_event("ASSIGN %s " % chat, WAIT)
    t.ok(ev is not None and kv(ev).get("by") == "proactive" and kv(ev).get("name") == "李雷",
         "and * ASSIGN C by=proactive with the visitor's name", ev)
    ev = a.expect_event("MSG %s " % chat, WAIT)
    t.eq(text(ev), "现在可以吗?", "the agent gets the invitation's message in the chat")
    ev = a.expect_event("DEPARTED %s " % bid, WAIT)
    t.ok(kv(ev).get("reason") == "chat" and kv(ev).get("chat") == chat,
         "watchers: * DEPARTED B reason=chat chat=C", ev)
    final, rows = a.cmd("VISITOR %s" % info["visitor"])
    card = {}
    for r in rows:
        card.update(kv(r))
    t.ok(card.get("name") == "李雷" and card.get("referrer") == "https://search.example/q",
         "the visit keeps the referrer the browser came with", rows)
    t.eq(b1.cmd("SAY :你好")[0].split()[0], "OK", "the visitor talks in the new chat")
    ev = a.expect_event("MSG %s " % chat, WAIT)
    t.eq(text(ev), "你好", "and the agent hears it")
    t.ok(other.no_event("MSG", 0.3) and other.no_event("ASSIGNED", 0.1),
         "the other browser saw nothing of that chat")
    a.ok("END %s" % chat)
    # accept while the agent is not free: the chat waits in the queue
    a.ok("ENGAGE %s :看看这个?" % oid)
    other.expect_event("INVITATION %s " % oid, WAIT)
    a.ok("STATUS away")
    bob.ok("STATUS away")
    final, _ = other.cmd("INVITATION accept")
    chat2 = kv(final).get("chat")
    ev = other.expect_event("QUEUED %s " % chat2, WAIT)
    t.ok(final.startswith("OK visitor=") and ev is not None,
         "accepted while the agent is away: the chat is queued", (final, ev))
    ev = a.expect_event("ENGAGE %s " % oid, WAIT)
    t.ok(kv(ev).get("result") == "accepted" and kv(ev).get("chat") == chat2,
         "the agent is still told it was accepted", ev)
    other.ok("END")
    a.ok("STATUS online")
    # a browser that starts a chat itself (the form) leaves the list too
    w, final = browse(srv, "page=/form")
    wid = kv(final)["browse"]
    a.expect_event("ARRIVED %s " % wid, WAIT)
    vinfo = w.hello("name=自己 :我自己来问")
    ev = a.expect_event("DEPARTED %s " % wid, WAIT)
    t.ok(kv(ev).get("reason") == "chat" and kv(ev).get("chat") == vinfo.get("chat"),
         "HELLO from a browser: * DEPARTED reason=chat", ev)
    w.ok("END")
    for c in (b1, other, w, bob):
        c.close()


def test_timeout_and_reload(srv, a):
    w, final = browse(srv, "page=/slow")
    wid = kv(final)["browse"]
    a.ok("ENGAGE %s :在吗?" % wid)
    w.expect_event("INVITATION %s " % wid, WAIT)
    srv.config["invite"] = {"cooldown": 2, "timeout": 1, "enabled": True}
    srv.write_config()
    os.kill(srv.proc.pid, signal.SIGHUP)
    ev = a.expect_event("ENGAGE %s " % wid, WAIT)
    t.eq(kv(ev).get("result"), "timeout", "an unanswered invitation ends after invite.timeout (SIGHUP'd to 1 s)")
    ev = w.expect_event("INVITATION %s " % wid, WAIT)
    t.eq(kv(ev).get("withdrawn"), "timeout", "the browser is told: * INVITATION B withdrawn=timeout")
    srv.config["invite"] = {"enabled": False}
    srv.write_config()
    os.kill(srv.proc.pid, signal.SIGHUP)
    deadline = time.time() + WAIT
    final = ""
    while time.time() < deadline:
        final = a.cmd("ENGAGE %s :hi" % wid)[0]
        if final.startswith("ERR DENIED"):
            break
        time.sleep(0.2)
    t.ok(final.startswith("ERR DENIED") and "invite.enabled" in final,
         "invite.enabled false (SIGHUP): ENGAGE is ERR DENIED", final)
    w.close()


def test_caps():
    """browse.per_addr_max and http.max_per_addr hold, lingering browsers
    make room, churn does not grow the list, and chats go on meanwhile."""
    srv = Server(extra={"browse": {"linger": 60, "per_addr_max": 3, "max": 5},
                        "http": {"max_per_addr": 6}})
    srv.start()
    try:
        a = agent(srv, "alice")
        a.ok("VISITORS watch=1")
        held = []
        toks = {}
        for i in range(3):
            w, final = browse(srv, "page=/p%d" % i)
            held.append((w, kv(final).get("browse")))
            toks[kv(final).get("browse")] = kv(final).get("token")
        t.ok(all(b for _, b in held), "3 browsers from one address")
        w4, final = browse(srv, "page=/p3")
        t.ok(final.startswith("ERR LIMIT") and "address" in final,
             "a 4th while all 3 are on the site: ERR LIMIT (browse.per_addr_max)", final)
        t.eq(w4.cmd("PING")[0], "OK PONG", "the refused connection may still chat (HELLO) or ping")
        w4.close()
        held[0][0].close()
        t.ok(a.no_event("DEPARTED", 0.5), "a closed page lingers (browse.linger 60)")
        w5, final = browse(srv, "page=/p5")
        t.ok(final.startswith("OK browse="), "a new browser from that address takes the lingering one's place", final)
        ev = a.expect_event("DEPARTED %s " % held[0][1], WAIT)
        t.ok(ev is not None, "which departs (* DEPARTED)", ev)
        # the one that left longest ago goes first; one that came back
        # on its next page is no longer lingering
        b5 = kv(final).get("browse")
        toks[b5] = kv(final).get("token")
        w1, b1 = held[1]
        w2, b2 = held[2]
        for i, w in enumerate((w1, w2, w5)):    # they leave in this order
            w.close()
            t.ok(a.no_event("DEPARTED", 0.3), "a closed page lingers (%d)" % (i + 1))
        wb, final = browse(srv, "page=/back token=%s" % toks[b1])
        t.eq(kv(final).get("browse"), b1, "the first to leave comes back on its next page")
        wn, final = browse(srv, "page=/new")
        t.ok(final.startswith("OK browse="), "a new browser takes a lingering one's place", final)
        ev = a.expect_event("DEPARTED ", WAIT)
        t.ok(ev is not None and ev.split()[1] == b2,
             "the one that left longest ago and did not come back goes (%s; %s)"
             % (ev and ev.split()[1], b2), ev)
        held = [None, (wb, b1), (wn, None)]
        # churn: open, BROWSE, close, 200 times; the list stays within the cap
        t0 = time.time()
        for i in range(200):
            w, final = browse(srv, "page=/churn%d" % i)
            w.close()
        final, rows = a.cmd("VISITORS")
        t.ok(int(final.split()[1]) <= 3, "200 open-browse-close cycles: still at most 3 listed (%s)" % final)
        # the web door's own cap: connections, browsing or not
        more = []
        for i in range(6):
            more.append(ws(srv))
        ups = sum(1 for m in more if m.upgraded())
        t.ok(ups < 6, "http.max_per_addr caps browsing connections too (%d of 6 more upgraded)" % ups)
        for m in more:
            m.close()
        v = srv.client()
        info = v.hello("name=顾客 :还在吗")
        ev = a.expect_event("ASSIGN %s " % info.get("chat"), WAIT)
        t.ok(ev is not None, "a chat is served normally after the churn (%.1fs of churn)" % (time.time() - t0))
        t.ok(srv.alive(), "kefud is alive")
        for w, _ in held[1:]:
            w.close()
        w5.close()
    finally:
        srv.cleanup()
    # browse.max: the whole site
    srv = Server(extra={"browse": {"linger": 60, "max": 2}})
    srv.start()
    try:
        w1, f1 = browse(srv)
        w2, f2 = browse(srv)
        w3, f3 = browse(srv)
        t.ok(f1.startswith("OK") and f2.startswith("OK") and f3.startswith("ERR LIMIT")
             and "site" in f3, "browse.max 2: the third browser is refused", f3)
        for w in (w1, w2, w3):
            w.close()
    finally:
        srv.cleanup()
    srv = Server(extra={"browse": {"max": 0}})
    srv.start()
    try:
        w, f = browse(srv)
        t.ok(f.startswith("ERR DENIED"), "browse.max 0: BROWSE is off (ERR DENIED)", f)
        t.ok(w.hello("name=x :y").get("chat"), "and HELLO still works")
        w.close()
    finally:
        srv.cleanup()


def main():
    srv = Server(extra={"browse": {"linger": 1, "per_addr_max": 1000},
                        "invite": {"cooldown": 2, "timeout": 120},
                        "visitor": {"hello_rate": 0, "per_addr_max": 0}})
    srv.start()
    try:
        a, b1, bid, token = test_browse_and_list(srv)
        test_roles(srv, a, b1, bid)
        test_groups(srv)
        test_invite(srv, a, b1, bid, token)
        test_timeout_and_reload(srv, a)
        t.ok(srv.alive(), "kefud is alive")
    finally:
        srv.cleanup()
    test_caps()
    t.done()


main()
