"""console_team.py - the internal conversation (内部对话) in the console.

A colleague's internal message flashes while the Team tab is closed; Alt-m
opens the tab with the conversation and its unread count; choosing it shows
the message and marks it read on the server; what is typed there reaches
the colleague as * IMSG; and a supervisor who starts monitoring the chat in
focus shows up in the visitor pane as "Watching:". Every wait is a bounded
poll of the screen or of a socket.
"""

import kefuscreen as ks

T, ok = ks.tap()


def unread_of(client, conv):
    final, rows = client.cmd("IUNREAD")
    for r in rows:
        body = r[2:] if r.startswith("+ ") else r
        if body.split(" ", 1)[0] == conv:
            for w in body.split():
                if w.startswith("unread="):
                    return w[7:]
    return None


def team(d, con, tag):
    cols, rows = d.cols, d.rows
    v, info = d.take("name=Ann group=sales :hello")
    chat = info["chat"]
    bob = d.client(login="bob")
    adm = d.client(login="admin")
    final, _ = bob.cmd("IMSG agent:alice :能帮我看看 3 号吗?")
    ok(final.startswith("OK id="), tag + " bob sends alice an internal message", final)
    scr = con.wait(lambda s: "Team agent:bob" in s and "(Alt-m)" in s)
    ok(scr is not None, tag + " the tab closed, the message flashes", con.screen())
    final, _ = bob.cmd("IMSG group:sales :午饭后开会")
    scr = con.wait(lambda s: "Team group:sales" in s)
    ok(scr is not None, tag + " a message to alice's group flashes too", con.screen())

    con.keys("M-m")
    scr = con.wait(lambda s: "Team (内部对话): Bob" in s and "能帮我看看 3 号吗?" in s
                   and "(1)" in ks.line_with(s, "group:sales"))
    ok(scr is not None, tag + " Alt-m opens the Team tab on bob's message; group:sales shows (1) unread",
       con.screen())
    ok(scr is not None and "bob:" in ks.line_with(scr, "能帮我看看"), tag + " the message names its sender", scr)
    ok(scr is not None and ks.fits(scr, cols, rows), tag + " the tab fits the screen", scr)
    alice = d.client(login="alice")
    ok(unread_of(alice, "agent:bob") == "0" and unread_of(alice, "group:sales") == "1",
       tag + " kefud counts bob's read, the group's not yet")
    con.type("好的,马上看")
    con.keys("Enter")
    ev = None
    for _ in range(5):      # bob's own copies of his messages come first
        try:
            ev = ks.event(bob, "* IMSG")
        except AttributeError:  # kefuscreen's reader got nothing more
            ev = None
        if ev is None or ev.endswith(":好的,马上看"):
            break
    ok(ev is not None and "conv=agent:alice" in ev and ev.endswith(":好的,马上看"),
       tag + " Enter sends it: bob gets * IMSG conv=agent:alice", ev)
    scr = con.wait(lambda s: "alice: 好的,马上看" in s)
    ok(scr is not None, tag + " and the tab shows it", con.screen())
    # one Down at a time, each waited for (the title names the selected
    # conversation): a key sent before the last one was drawn could carry
    # the selection past group:sales on a busy machine
    for _ in range(12):
        title = ks.line_with(con.screen(), " Team (内部对话):")
        if "group:sales" in title:
            break
        con.keys("Down")
        con.wait(lambda s, was=title: ks.line_with(s, " Team (内部对话):") != was, 10)
    scr = con.wait(lambda s: "bob: 午饭后开会" in s)
    ok(scr is not None, tag + " Down to group:sales shows the group's message", con.screen())
    ok(unread_of(alice, "group:sales") == "0", tag + " and kefud counts it read")
    con.keys("Escape")
    scr = con.wait(lambda s: "Team (内部对话)" not in s)
    ok(scr is not None, tag + " Esc closes the tab", con.screen())

    final, _ = adm.cmd("MONITOR " + chat)
    ok(final == "OK", tag + " admin monitors the chat", final)
    scr = con.wait(lambda s: "Watching: admin (monitoring)" in s)
    ok(scr is not None, tag + " the visitor pane shows Watching: admin (monitoring)", con.screen())
    adm.cmd("UNMONITOR " + chat)
    scr = con.wait(lambda s: "Watching:" not in s)
    ok(scr is not None, tag + " and drops it when the monitoring stops", con.screen())


SCENARIOS = [     # (function, label, cols, rows, server settings)
    (team, "team", 80, 24), (team, "team", 120, 35),
]


if __name__ == "__main__":
    ks.main(SCENARIOS, T)
