"""console_admin.py - the console's admin screen (F12 / Alt-m) and report
screen (Alt-g), driven in tmux at 80x24 and 120x35.

Admin screen: users (disable and enable with a question first, reset a
password with the field masked, groups, max chats, a readable error for a
refused value, force logout, add), groups (add with a Chinese description
in straight columns, mode, description, delete refused while not empty
with the server's reason, delete an empty one), shared quick replies (add,
edit, delete), an announcement that reaches the agents. An agent gets
neither screen. Report screen (a supervisor): the day table and total
match what happened, the hour chart has its bar in this hour's column,
the period moves, rows by agent. Every screen fits the terminal. Every
wait is a bounded poll of the screen or of a socket.
"""
import time

import kefuscreen as ks

T, ok = ks.tap()


def relogin(d, user, cols, rows):
    """Replace the scenario's console (alice) by one logged in as user."""
    d.con.close()
    d.con = ks.Console.agent(d.kefu, d.srv.port, user=user,
                             password=user + "123", cols=cols, rows=rows)
    return d.con


def sel_row(con, name, tries=12):
    """Move the highlight ('>' in the first column) to the row of name."""
    con.keys("Home")
    for _ in range(tries):
        if con.wait(lambda s: any(l.startswith("> ") for l in s.split("\n")), 5) is None:
            return False
        scr = con.screen()
        if any(l.startswith("> ") and name in l[2:] for l in scr.split("\n")):
            return True
        con.keys("Down")
        con.wait(lambda s: s != scr, 2)
    return False


def fits(con, d):
    return ks.fits(con.screen(), d.cols, d.rows)


def refused(d, con, tag):
    ok(con.wait_text("[online]") is not None, tag + " alice's console is up")
    con.keys("F12")
    ok(con.wait_text("The admin screen is for admins") is not None,
       tag + " an agent's F12: the admin screen is for admins", con.screen())
    con.keys("Escape", "g")
    ok(con.wait_text("Reports are for supervisors and admins") is not None,
       tag + " an agent's Alt-g: reports are for supervisors and admins", con.screen())
    ok("Admin  1 Users" not in con.screen(), tag + " and no admin screen is shown")


def users(d, con, tag, alice, alice2):
    con.keys("F12")
    scr = con.wait(lambda s: "1 Users" in s and "alice" in s and "bob" in s)
    ok(scr is not None, tag + " F12 shows the users tab with the accounts", con.screen())
    ok(fits(con, d), tag + " the users tab fits", con.screen())
    ok(sel_row(con, "alice"), tag + " alice's row is highlighted", con.screen())
    con.keys("d")
    ok(con.wait_text("Disable alice?") is not None, tag + " d asks before disabling", con.screen())
    con.keys("n")
    time.sleep(0.3)
    ok(alice.cmd("PING")[0] == "OK PONG", tag + " n: nothing happened to alice")
    con.keys("d")
    con.wait_text("Disable alice?")
    con.keys("y")
    k = ks.event(alice, "* KICKED", 15)
    ok(k is not None and k.endswith(":account disabled"), tag + " y: alice is kicked (account disabled)", k)
    scr = con.wait(lambda s: "DISABLED" in ks.line_with(s, "alice "))
    ok(scr is not None and "Done: alice disabled" in scr, tag + " her row says DISABLED, the result line Done", con.screen())
    con.keys("d")
    ok(con.wait_text("Enable alice again") is not None, tag + " d on a disabled user offers to enable", con.screen())
    con.keys("y")
    scr = con.wait(lambda s: "alice " in s and "DISABLED" not in ks.line_with(s, "alice "))
    ok(scr is not None, tag + " enabled again", con.screen())

    con.keys("p")
    con.wait_text("Reset password")
    con.type("new-pass-123")
    scr = con.wait_text("************")
    ok(scr is not None and "new-pass-123" not in scr, tag + " the password field is masked", con.screen())
    con.keys("Enter")
    ok(con.wait_text("Done: new password for alice") is not None, tag + " password reset", con.screen())
    c = d.client()
    final, _ = c.cmd("LOGIN alice :new-pass-123")
    ok(final.startswith("OK"), tag + " alice logs in with the new password", final)
    alice2 = c

    con.keys("g")
    con.wait_text("Groups (a,b)")
    con.keys("C-u")
    con.type("sales")
    con.keys("Enter")
    scr = con.wait(lambda s: "Done: alice is in groups sales" in s)
    ok(scr is not None and ks.line_with(scr, "alice ").rstrip().endswith("sales"),
       tag + " g: alice's groups are now sales", con.screen())
    con.keys("m")
    con.wait_text("Max chats")
    con.keys("C-u")
    con.type("7")
    con.keys("Enter")
    scr = con.wait(lambda s: "0/7" in ks.line_with(s, "alice "))
    ok(scr is not None, tag + " m: alice may hold 7 chats", con.screen())
    con.keys("m")
    con.wait_text("Max chats")
    con.keys("C-u")
    con.type("500")
    con.keys("Enter")
    scr = con.wait_text("Not accepted: max must be a number from 1 to 100")
    ok(scr is not None, tag + " max 500: the server's reason, readable", con.screen())

    con.keys("o")
    ok(con.wait_text("Log alice out of every connection now?") is not None, tag + " o asks first", con.screen())
    con.keys("y")
    k = ks.event(alice2, "* KICKED", 15)
    ok(k is not None and k.endswith(":logged out by an admin"), tag + " y: alice is logged out", k)

    con.keys("a")
    con.wait_text("New user")
    con.type("dave")
    con.keys("Enter")
    con.keys("C-u")
    con.type("supervisor")
    con.keys("Enter")
    con.type("dave-pass-1")
    con.keys("Enter")
    scr = con.wait(lambda s: "dave " in s and "supervisor" in ks.line_with(s, "dave "))
    ok(scr is not None and "Done: added dave" in scr, tag + " a: dave is added as a supervisor", con.screen())


def groups(d, con, tag):
    con.keys("2")
    scr = con.wait(lambda s: "2 Groups" in s and "Description" in s and "tech" in s)
    ok(scr is not None, tag + " 2: the groups tab", con.screen())
    con.keys("a")
    con.wait_text("New group")
    con.type("vip")
    con.keys("Enter")
    con.keys("C-u")
    con.type("auto")
    con.keys("Enter")
    con.type("贵宾服务台 desk")
    con.keys("Enter")
    # the form shows the typed description too: wait for the form to
    # close and the row to be listed, not just for the text
    scr = con.wait(lambda s: "New group" not in s and "贵宾服务台 desk" in s)
    ok(scr is not None, tag + " a: group vip with a Chinese description", con.screen())
    if scr:
        head = ks.line_with(scr, "Description")
        row = ks.line_with(scr, "贵宾")
        ok(ks.col_of(row, "贵宾") == ks.col_of(head, "Description") and
           ks.col_of(row, "auto") == ks.col_of(head, "Mode"),
           tag + " its cells sit under their headings", scr)
        ok(ks.fits(scr, d.cols, d.rows), tag + " the groups tab fits", scr)
    ok(sel_row(con, "vip"), tag + " vip highlighted", con.screen())
    con.keys("t")
    scr = con.wait(lambda s: "manual" in ks.line_with(s, "vip "))
    ok(scr is not None, tag + " t: vip is now manual", con.screen())
    con.keys("e")
    con.wait_text("Group description")
    con.keys("C-u")
    con.type("VIP 客户")
    con.keys("Enter")
    ok(con.wait(lambda s: "VIP 客户" in ks.line_with(s, "vip ")) is not None,
       tag + " e: new description", con.screen())
    ok(sel_row(con, "tech"), tag + " tech highlighted", con.screen())
    con.keys("x")
    con.wait_text("Delete group tech?")
    con.keys("y")
    scr = con.wait_text("Not now: group tech still has")
    ok(scr is not None and "member" in scr, tag + " deleting tech: the server's reason (members)", con.screen())
    ok(sel_row(con, "vip"), tag + " vip highlighted again", con.screen())
    con.keys("x")
    con.wait_text("Delete group vip?")
    con.keys("y")
    scr = con.wait(lambda s: "Done: group vip deleted" in s and "vip " not in s.split("Done")[0])
    ok(scr is not None, tag + " x y: vip is deleted", con.screen())


def replies(d, con, tag):
    con.keys("3")
    scr = con.wait(lambda s: "3 Quick replies" in s and "greet" in s)
    ok(scr is not None, tag + " 3: the shared quick replies", con.screen())
    con.keys("a")
    con.wait_text("New shared quick reply")
    con.type("运费")
    con.keys("Enter")
    con.type("sales")
    con.keys("Enter")
    con.type("满99元包邮")
    con.keys("Enter")
    scr = con.wait(lambda s: "满99元包邮" in ks.line_with(s, "运费"))
    ok(scr is not None and "sales" in ks.line_with(scr, "运费"), tag + " a: the reply is listed for sales", con.screen())
    if scr:
        ok(ks.fits(scr, d.cols, d.rows), tag + " the replies tab fits", scr)
    ok(sel_row(con, "运费"), tag + " its row highlighted", con.screen())
    con.keys("e")
    con.wait_text("Edit quick reply")
    con.keys("Down", "C-u")
    con.type("满199元包邮")
    con.keys("Enter")
    ok(con.wait(lambda s: "Edit quick reply" not in s and "满199元包邮" in ks.line_with(s, "运费"))
       is not None, tag + " e: the text changed", con.screen())
    con.keys("x")
    con.wait_text("Delete the quick reply")
    con.keys("y")
    ok(con.wait(lambda s: "Done: quick reply" in s and "运费" not in s.split("Done")[0]) is not None,
       tag + " x y: deleted", con.screen())


def announce(d, con, tag, bob):
    con.keys("4")
    con.wait_text("announcement")
    con.keys("Enter")
    con.wait_text("Announcement")
    con.type("今晚十点维护")
    con.keys("Enter")
    a = ks.event(bob, "* ANNOUNCE", 15)
    ok(a is not None and a.endswith(":今晚十点维护"), tag + " 4 Enter: the agents get * ANNOUNCE", a)
    ok(con.wait_text("Last sent:") is not None, tag + " the screen shows what was sent", con.screen())
    con.keys("Escape")
    scr = con.wait(lambda s: "Queue (" in s and "Admin  1" not in s)
    ok(scr is not None, tag + " Esc: back to the desk", con.screen())


def admin(d, con, tag):
    refused(d, con, tag)
    alice = d.client(login="alice")
    alice2 = d.client(login="alice")
    bob = d.client(login="bob")
    con = relogin(d, "admin", d.cols, d.rows)
    users(d, con, tag, alice, alice2)
    groups(d, con, tag)
    replies(d, con, tag)
    announce(d, con, tag, bob)


def report(d, con, tag):
    adm = d.client(login="admin")
    final, _ = adm.cmd("USERADD carol supervisor :carol123")
    ok(final == "OK", tag + " a supervisor carol", final)
    alice = d.client(login="alice")
    for i in range(3):
        v, info = d.visitor("name=V%d group=sales :q%d" % (i, i))
        alice.cmd("ACCEPT " + info["chat"])
        alice.cmd("MSG %s :hello" % info["chat"])
        alice.cmd("END " + info["chat"])
    hour = time.localtime().tm_hour
    today = time.strftime("%Y-%m-%d")
    con = relogin(d, "carol", d.cols, d.rows)
    con.keys("Escape", "g")
    scr = con.wait(lambda s: "Report " in s and "Total" in s and today in ks.line_with(s, "Offered") + ks.line_with(s, today + " "))
    ok(scr is not None, tag + " Alt-g: the report screen for the last 7 days", con.screen())
    if scr is None:
        return
    row = ks.line_with(scr.split("Offered", 1)[1], today)
    ok(row.split()[1:4] == ["3", "3", "0"], tag + " today's row: 3 offered, 3 answered, 0 missed", row)
    tot = ks.line_with(scr, "Total")
    ok(tot.split()[1:3] == ["3", "3"], tag + " the total row agrees", tot)
    ok(ks.fits(scr, d.cols, d.rows), tag + " the report fits", scr)
    lines = scr.split("\n")
    axis = [l for l in lines if l.split()[:3] == ["00", "01", "02"]]
    ok(axis, tag + " the hour axis 00..23 is there", scr)
    if axis:
        x = ks.col_of(axis[0], "%02d" % hour)
        bars = [l for l in lines if "#" in l]
        cols_with_bar = {ks.width(l[:i]) for l in bars for i, ch in enumerate(l) if ch == "#"}
        ok(bars and x in cols_with_bar and len(bars) >= 3,
           tag + " the bar stands in this hour's column (%02d)" % hour, scr)
        ok(all(c - x in (0, 1, 2) for c in cols_with_bar), tag + " and nowhere else", scr)
    con.keys("b")
    scr = con.wait(lambda s: "rows by agent" in s and "alice" in s)
    ok(scr is not None and ks.line_with(scr, "alice").split()[1] == "3",
       tag + " b: rows by agent, alice offered 3", con.screen())
    con.keys("d")
    ok(con.wait(lambda s: "Report %s .. %s" % (today, today) in s) is not None,
       tag + " d: today only", con.screen())
    con.keys("[")
    scr = con.wait(lambda s: "No chats in this period." in s)
    ok(scr is not None and today not in ks.line_with(scr, "Report"), tag + " [: the day before, no chats", con.screen())
    con.keys("Escape")
    ok(con.wait(lambda s: "Queue (" in s) is not None, tag + " Esc: back to the desk", con.screen())


SCENARIOS = [     # (function, label, cols, rows, server settings)
    (admin, "admin", 80, 24), (admin, "admin", 120, 35),
    (report, "report", 80, 24), (report, "report", 120, 35),
]


if __name__ == "__main__":
    ks.main(SCENARIOS, T)
