"""Who sees what (issue 9, defect 3). One rule for every read command:
an agent sees the chats of their own groups (and chats they take part
in); supervisors and admins see all; a chat one may see is seen whole,
notes and whispers included, one may not see is not seen at all. Checked
per role for TRANSCRIPT, SEARCH, HISTORY, VISITOR, QUEUE and CHATS, on a
live chat and again after a restart (when only the store knows it)."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

USERS = [  # name, role, password, display, groups, max
    ("admin", "admin", "admin123", "Admin", "sales", 5),
    ("ann", "agent", "ann-pass-1", "Ann", "sales", 5),
    ("ted", "agent", "ted-pass-1", "Ted", "tech", 5),
    ("carol", "supervisor", "carol123", "Carol", "sales", 5),
]
PW = {u[0]: u[2] for u in USERS}

t = Tap()
srv = Server(extra={
    "groups": [{"name": "sales", "mode": "manual"},
               {"name": "tech", "mode": "manual"}],
    "users": [{"name": n, "role": r, "password": p, "display": d,
               "groups": g, "max_chats": m} for (n, r, p, d, g, m) in USERS],
}).start()


def logins():
    out = {}
    for n in ("ann", "ted", "carol", "admin"):
        c = srv.client()
        c.login(n, PW[n])
        out[n] = c
    return out


def check_reads(who, chat, visitor, when):
    """Every read command, per role, against the tech chat."""
    for n in ("ann",):
        c = who[n]
        final, rows = c.cmd("TRANSCRIPT " + chat)
        t.ok(final.startswith("ERR DENIED") and rows == [],
             "%s: agent of sales gets ERR DENIED for TRANSCRIPT of a tech chat" % when, final)
        final, rows = c.cmd("SEARCH :zebra")
        t.ok(final.startswith("OK") and rows and
             not any(r.startswith(chat + " ") for r in rows),
             "%s: SEARCH by the sales agent finds nothing of the tech chat" % when, rows)
        final, rows = c.cmd("HISTORY " + visitor)
        t.ok(final == "OK 0" and rows == [],
             "%s: HISTORY by the sales agent lists none of the tech chats" % when, rows)
        final, rows = c.cmd("VISITOR " + visitor)
        t.ok(final.startswith("ERR DENIED") and rows == [],
             "%s: VISITOR card of a tech-only visitor: ERR DENIED for the sales agent" % when, final)
        final, rows = c.cmd("QUEUE tech")
        t.ok(final.startswith("ERR DENIED"), "%s: QUEUE tech by the sales agent: ERR DENIED" % when, final)
        final, rows = c.cmd("CHATS")
        t.ok(not any(r.startswith(chat + " ") for r in rows),
             "%s: the tech chat is not in the sales agent's CHATS" % when, rows)
    for n in ("ted", "carol", "admin"):
        c = who[n]
        final, rows = c.cmd("TRANSCRIPT " + chat)
        kinds = [kv(r).get("kind") for r in rows]
        t.ok(final.startswith("OK") and "note" in kinds and "whisper" in kinds,
             "%s: %s reads the transcript, note and whisper included" % (when, n), kinds)
        final, rows = c.cmd("SEARCH :zebra")
        got = sorted(kv(r).get("kind") for r in rows if r.startswith(chat + " "))
        t.eq(got, ["agent", "note", "visitor", "whisper"],
             "%s: %s's SEARCH finds the chat's lines, note and whisper too" % (when, n))
        final, rows = c.cmd("HISTORY " + visitor)
        t.ok(any(r.startswith(chat + " ") for r in rows), "%s: %s sees it in HISTORY" % (when, n), rows)
        final, rows = c.cmd("VISITOR " + visitor)
        t.ok(final.startswith("OK") and "name=Lin" in rows,
             "%s: %s gets the visitor card" % (when, n), rows)


try:
    who = logins()
    # a sales chat of ann's: her own search still works
    vs = srv.client()
    hs = vs.hello("name=Sam group=sales :zebra crossing in sales")
    who["ann"].ok("ACCEPT " + hs["chat"])

    v = srv.client()
    h = v.hello("name=Lin group=tech :my zebra printer")
    chat, visitor = h["chat"], h["visitor"]
    q = who["ann"].expect_event("QADD " + chat, 0.5)
    t.ok(q is None, "the sales agent gets no QADD for a tech chat", q)
    q = who["carol"].expect_event("QADD " + chat)
    t.ok(q is not None, "the supervisor (not in tech) gets the QADD", q)
    final, rows = who["carol"].cmd("QUEUE tech")
    t.ok(any(r.startswith(chat + " ") for r in rows), "the supervisor lists QUEUE tech", rows)
    final, _ = who["ann"].cmd("ACCEPT " + chat)
    t.ok(final.startswith("ERR DENIED"), "the sales agent may not ACCEPT a tech chat", final)
    who["ted"].ok("ACCEPT " + chat)
    who["ted"].ok("MSG %s :zebra model?" % chat)
    who["ted"].ok("NOTE %s :internal zebra note" % chat)
    who["carol"].ok("WHISPER %s :whisper about the zebra" % chat)

    final, rows = who["ann"].cmd("SEARCH :zebra")
    t.eq([r.split()[0] for r in rows], [hs["chat"]],
         "SEARCH by the sales agent finds her own group's chat only")
    check_reads(who, chat, visitor, "live")

    who["ted"].ok("END " + chat)
    who["ted"].ok("WRAPUP %s printers :zebra fixed" % chat)
    srv.stop()
    srv.start()
    who = logins()
    check_reads(who, chat, visitor, "after restart")
    final, _ = who["ted"].cmd("TRANSCRIPT 999999")
    t.ok(final.startswith("ERR NOTFOUND"), "TRANSCRIPT of a chat that never was: ERR NOTFOUND", final)
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
