"""Internal conversation (内部对话): staff talk to a colleague, a group or
everyone, apart from visitor chats; messages are stored, delivered live
(* IMSG) and counted unread until read (IREAD), and an agent who comes back
gets * IUNREAD after logging in; a pair's messages are theirs alone; a
group's belong to its members. WATCHERS and * WATCHERS tell a chat's agents
who else is looking (monitoring supervisors, invited agents). Hostile
input gets clear ERR codes; everything survives a restart."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server().start()


def unread_rows(who):
    final, rows = who.cmd_all("IUNREAD")
    return final, {r.split()[0]: kv(r) for r in rows}


try:
    a = srv.client(); a.login("alice")
    b = srv.client(); b.login("bob")
    sup = srv.client(); sup.login("carol")
    adm = srv.client(); adm.login("admin")
    adm.ok("GROUPADD vipdesk")
    adm.ok("USERADD dan agent groups=vipdesk :dansecret1")
    d = srv.client(); d.login("dan", "dansecret1")

    # -- a colleague
    final, _ = a.cmd("IMSG agent:bob :能帮我看一下 3 号对话吗?")
    t.ok(final.startswith("OK id="), "IMSG agent:bob -> OK id=N", final)
    mid = kv(final)["id"]
    ev = b.expect_event("IMSG " + mid)
    f = kv(ev)
    t.ok(ev is not None and f.get("conv") == "agent:alice" and f.get("from") == "alice"
         and f.get("display") == "Alice" and text(ev) == "能帮我看一下 3 号对话吗?",
         "bob gets * IMSG conv=agent:alice from=alice display=Alice with the text", ev)
    ev = a.expect_event("IMSG " + mid)
    t.ok(ev is not None and kv(ev).get("conv") == "agent:bob", "alice's connection gets its copy as conv=agent:bob", ev)
    t.ok(sup.no_event("IMSG", 0.3) and adm.no_event("IMSG", 0.1) and d.no_event("IMSG", 0.1),
         "nobody else gets the pair's message")
    final, _ = b.cmd("IMSG agent:alice :好的")
    rid = kv(final).get("id")
    a.expect_event("IMSG " + rid)

    # -- privacy: no other account can read the pair, whatever its role
    for who, name in ((sup, "carol"), (adm, "admin"), (d, "dan")):
        for peer in ("alice", "bob"):
            final, rows = who.cmd("IMSGS agent:" + peer)
            t.ok(final == "OK 0" and rows == [], "%s: IMSGS agent:%s holds nothing of alice and bob" % (name, peer),
                 (final, rows))
        final, rows = unread_rows(who)
        t.ok(not any(k.startswith("agent:") for k in rows), "%s: IUNREAD lists no pair of theirs" % name, rows)
    final, rows = a.cmd("IMSGS agent:bob")
    t.ok(final == "OK 2" and [r.split()[0] for r in rows] == [rid, mid] and text(rows[1]) == "能帮我看一下 3 号对话吗?",
         "alice's IMSGS agent:bob: both messages, newest first", rows)

    # -- a group: its members only
    final, _ = a.cmd("IMSG group:sales :午饭后开会")
    gid = kv(final).get("id")
    for who, name in ((b, "bob"), (sup, "carol"), (adm, "admin")):
        ev = who.expect_event("IMSG " + gid)
        t.ok(ev is not None and kv(ev).get("conv") == "group:sales", "%s (in sales) gets the group message" % name, ev)
    t.ok(d.no_event("IMSG", 0.3), "dan (not in sales) does not")
    for cmd in ("IMSG group:sales :let me in", "IMSGS group:sales", "IREAD group:sales"):
        final, _ = d.cmd(cmd)
        t.ok(final.startswith("ERR DENIED"), "dan: %s -> ERR DENIED" % cmd.split(" :")[0], final)

    # -- everyone
    final, _ = adm.cmd("IMSG all :系统今晚 22:00 维护")
    aid = kv(final).get("id")
    for who, name in ((a, "alice"), (b, "bob"), (sup, "carol"), (d, "dan")):
        ev = who.expect_event("IMSG " + aid)
        t.ok(ev is not None and kv(ev).get("conv") == "all", "%s gets the message to all" % name, ev)

    # -- unread counts, and delivery to an agent who comes back
    b.quit()
    final, _ = a.cmd("IMSG agent:bob :你在吗?")
    m1 = kv(final)["id"]
    final, _ = a.cmd("IMSG agent:bob :回来后看一下")
    m2 = kv(final)["id"]
    final, rows = unread_rows(a)
    t.ok(rows.get("agent:bob", {}).get("unread") == "0", "one's own messages are never unread", rows)
    b = srv.client()
    b.send("@l LOGIN bob :bob123")
    ok_line = b.readline()
    ev = b.expect_event("IUNREAD")
    t.ok(ok_line is not None and ok_line.startswith("@l OK") and ev is not None
         and int(kv(ev).get("total", 0)) >= 3, "bob logs in: OK, then * IUNREAD total=N", (ok_line, ev))
    final, rows = unread_rows(b)
    t.ok(rows.get("agent:alice", {}).get("unread") == "2" and rows["agent:alice"].get("last") == m2,
         "IUNREAD: agent:alice unread=2 last=<newest>", rows)
    t.ok(rows.get("group:sales", {}).get("unread") == "1" and rows.get("all", {}).get("unread") == "1",
         "and the group and all messages bob has not read", rows)
    final, rows = b.cmd("IMSGS agent:alice limit=1")
    t.ok(final.startswith("OK 1 next=1") and rows[0].split()[0] == m2, "IMSGS pages: the newest first", (final, rows))
    final, _ = b.cmd("IREAD agent:alice upto=" + m1)
    t.eq(final, "OK", "IREAD upto=ID")
    final, rows = unread_rows(b)
    t.eq(rows.get("agent:alice", {}).get("unread"), "1", "one left unread after it")
    final, _ = b.cmd("IREAD agent:alice upto=" + mid)
    final, rows = unread_rows(b)
    t.eq(rows.get("agent:alice", {}).get("unread"), "1", "a read mark never moves back")
    b.ok("IREAD agent:alice")
    b.ok("IREAD all")
    final, rows = unread_rows(b)
    t.ok(rows["agent:alice"]["unread"] == "0" and rows["all"]["unread"] == "0"
         and rows["group:sales"]["unread"] == "1", "IREAD without upto reads all of a conversation", rows)

    # -- who else is looking at a chat
    v = srv.client()
    h = v.hello("name=Vis group=tech :help")
    chat = h["chat"]
    a.ok("ACCEPT " + chat)
    final, _ = a.cmd("WATCHERS " + chat)
    t.eq(final, "OK monitors= invited=", "WATCHERS: nobody else yet")
    sup.ok("MONITOR " + chat)
    ev = a.expect_event("WATCHERS " + chat)
    t.ok(ev is not None and kv(ev).get("monitors") == "carol" and kv(ev).get("invited") == "",
         "MONITOR: the agent gets * WATCHERS monitors=carol", ev)
    a.ok("INVITE %s bob" % chat)
    ev = a.expect_event("WATCHERS " + chat)
    t.ok(ev is not None and kv(ev).get("monitors") == "carol" and kv(ev).get("invited") == "bob",
         "INVITE: * WATCHERS monitors=carol invited=bob", ev)
    ev = b.expect_event("WATCHERS " + chat)
    t.ok(ev is not None and kv(ev).get("monitors") == "carol", "the invited agent gets it too", ev)
    final, _ = b.cmd("WATCHERS " + chat)
    t.eq(final, "OK monitors=carol invited=bob", "WATCHERS answers the same")
    sup.ok("UNMONITOR " + chat)
    ev = a.expect_event("WATCHERS " + chat)
    t.ok(ev is not None and kv(ev).get("monitors") == "", "UNMONITOR: monitors= again", ev)
    b.ok("LEAVE " + chat)
    ev = a.expect_event("WATCHERS " + chat)
    t.ok(ev is not None and kv(ev).get("invited") == "", "LEAVE: invited= again", ev)
    sup.ok("MONITOR " + chat)
    a.expect_event("WATCHERS " + chat)
    adm.ok("TAKEOVER " + chat)
    ev = adm.expect_event("WATCHERS " + chat)
    t.ok(ev is not None and kv(ev).get("monitors") == "carol", "a new owner learns who is watching", ev)
    t.ok(v.no_event("WATCHERS", 0.3), "the visitor never gets * WATCHERS")
    final, _ = d.cmd("WATCHERS " + chat)
    t.ok(final.startswith("ERR DENIED"), "WATCHERS of another group's chat: ERR DENIED", final)

    # -- hostile input
    bad = [
        ("IMSG agent:nobody :x", "NOTFOUND", "an unknown colleague"),
        ("IMSG agent:alice :x", "ARGS", "oneself"),
        ("IMSG group:nogroup :x", "NOTFOUND", "an unknown group"),
        ("IMSG bob :x", "ARGS", "a conversation without agent:/group:"),
        ("IMSG all :", "ARGS", "an empty message"),
        ("IMSG all :" + "x" * 4097, "ARGS", "a message over 4096 bytes"),
        ("IMSG agent:" + "x" * 300 + " :x", "NOTFOUND", "an over-long name"),
        ("IMSG all", "ARGS", "no text"),
        ("IMSGS all limit=0", "ARGS", "limit=0"),
        ("IMSGS all limit=201", "ARGS", "limit over 200"),
        ("IREAD all upto=abc", "ARGS", "upto= not a number"),
        ("IREAD all since=3", "ARGS", "an unknown IREAD option"),
        ("WATCHERS 99999", "NOTFOUND", "WATCHERS of no chat"),
    ]
    for cmd, code, what in bad:
        final, _ = a.cmd(cmd)
        t.ok(final is not None and final.startswith("ERR " + code), "%s: ERR %s" % (what, code), final)
    final, _ = a.cmd("IMSG all :line one\\nline two\\tand a tab")
    ev = b.expect_event("IMSG " + kv(final).get("id", "?"))
    t.ok(ev is not None and text(ev) == "line one\nline two\tand a tab",
         "newlines and tabs travel escaped, one line each", ev)
    t.ok(srv.alive(), "kefud is still running")

    # -- a long backlog: the count stops at 1000 (it costs no more to make)
    for i in range(1001):
        b.send("IMSG group:tech :backlog %d" % i)
    final, _ = b.cmd("PING")
    final, rows = unread_rows(a)
    t.eq(rows.get("group:tech", {}).get("unread"), "1000", "unread stops counting at 1000")

    # -- stored: unread counts survive a restart
    final, _ = a.cmd("IMSG agent:bob :after the restart?")
    last = kv(final)["id"]
    srv.stop()
    srv.start()
    b = srv.client()
    b.login("bob")
    final, rows = unread_rows(b)
    t.ok(rows.get("agent:alice", {}).get("unread") == "1" and rows["agent:alice"].get("last") == last,
         "after a restart bob still has the message unread", rows)
finally:
    srv.cleanup()
t.done()
