"""console_cases.py - the case screens and the ban action (issues 12, 13).

A visitor leaves a message: the console rings and says "New case"; Alt-k
lists the cases (new first), Enter opens one; n writes a note, r a reply
the visitor gets, a assigns it to me, c closes it; f filters the list by
state. Alt-x bans the visitor of the chat in focus, with a reason. Every
wait is a bounded poll of the screen or of a socket.
"""

import kefuscreen as ks

T, ok = ks.tap()


def cases(d, con, tag):
    v, info = d.visitor("name=Ann group=sales :hello?")
    final, _ = v.cmd("LEAVEMSG phone=13800000000 :please call me back")
    case = final.split("case=")[1].split()[0] if "case=" in final else "?"
    ok(final.startswith("OK case="), tag + " the visitor leaves a message", final)
    scr = con.wait(lambda s: "New case #%s from Ann" % case in s)
    ok(scr is not None, tag + " the console says a new case came", con.screen())
    con.keys("Escape", "k")
    scr = con.wait(lambda s: "Cases (left messages)" in s and "#%s new" % case in s)
    ok(scr is not None and "please call me back" in scr, tag + " Alt-k lists it, new", con.screen())
    ok(ks.fits(scr or "", d.cols, d.rows), tag + " the list fits", scr)
    con.keys("Enter")
    scr = con.wait(lambda s: "Case #%s" % case in s and "13800000000" in s)
    ok(scr is not None and "Message: please call me back" in scr,
       tag + " Enter opens it: contact and message", con.screen())
    con.keys("n")
    con.wait_text("Note:")
    con.type("called, no answer")
    con.keys("Enter")
    scr = con.wait(lambda s: "note" in s and "called, no answer" in s and "Case #" in s)
    ok(scr is not None, tag + " n: the note is in the history", con.screen())
    con.keys("r")
    con.wait_text("Reply:")
    con.type("we will call again at 3pm")
    con.keys("Enter")
    rep = ks.event(v, "* CASEREPLY " + case)
    ok(rep is not None and rep.endswith(":we will call again at 3pm"),
       tag + " r: the visitor gets the reply", rep)
    con.keys("a")
    scr = con.wait(lambda s: "assignee alice" in s)
    ok(scr is not None, tag + " a: assigned to me", con.screen())
    con.keys("c")
    scr = con.wait(lambda s: "Case #%s  closed" % case in s)
    ok(scr is not None, tag + " c: closed", con.screen())
    con.keys("l")
    scr = con.wait(lambda s: "0 active cases" in s)
    ok(scr is not None, tag + " the active list no longer has it", con.screen())
    for _ in range(4):
        con.keys("f")
    scr = con.wait(lambda s: "1 closed case" in s and "#%s closed" % case in s)
    ok(scr is not None, tag + " f four times: the closed ones, with it", con.screen())
    con.keys("Escape")
    ok(con.wait(lambda s: "Cases (left messages)" not in s) is not None, tag + " Esc closes",
       con.screen())


def ban(d, con, tag):
    v, info = d.take("name=Troll group=sales :hi")
    con.keys("Escape", "x")
    scr = con.wait(lambda s: "Ban Troll (visitor %s)?" % info["visitor"] in s)
    ok(scr is not None, tag + " Alt-x asks, naming the visitor", con.screen())
    con.type("abusive language")
    con.keys("Enter")
    ok(ks.event(v, "* ENDED") is not None, tag + " the visitor's chat ends")
    ok(con.wait_text("Visitor %s banned" % info["visitor"]) is not None,
       tag + " the console says it is done", con.screen())
    adm = d.client(login="admin")
    _, rows = adm.cmd("BANS")
    ok(any("kind=visitor" in r and "value=%s" % info["visitor"] in r and
           r.endswith(":abusive language") for r in rows),
       tag + " BANS lists it with the reason", str(rows))
    v2 = d.client()
    final, _ = v2.cmd("HELLO token=%s :again" % info["token"])
    ok(final.startswith("ERR DENIED"), tag + " the visitor is turned away", final)


SCENARIOS = [     # (function, label, cols, rows)
    (cases, "cases", 80, 24), (cases, "cases", 120, 35),
    (ban, "ban", 80, 24), (ban, "ban", 100, 30),
]


if __name__ == "__main__":
    ks.main(SCENARIOS, T)
