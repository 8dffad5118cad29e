"""Group administration: GROUPSET changes a group's mode and description
(manual -> auto routes its queue at once), GROUPDEL deletes a group only
when it is empty (no member, no open chat, no case that is not closed, not
routing.default_group) with a clear ERR STATE otherwise, takes the group's
shared quick replies along, and a deleted seed group from the config stays
deleted after a restart; GROUPADD of the name brings it back."""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server(extra={"groups": [{"name": "sales", "mode": "auto"},
                               {"name": "tech", "mode": "manual"},
                               {"name": "promo", "mode": "manual",
                                "description": "summer sale"}]})
srv.start()


def groups(c):
    final, rows = c.cmd("GROUPS")
    return {r.split()[0]: r for r in rows}


try:
    adm = srv.client(); adm.login("admin")
    alice = srv.client(); alice.login("alice")

    # -- GROUPSET
    final, _ = adm.cmd("GROUPSET tech")
    t.ok(final.startswith("ERR ARGS"), "GROUPSET without a change: ERR ARGS", final)
    final, _ = adm.cmd("GROUPSET tech mode=fast")
    t.ok(final.startswith("ERR ARGS"), "GROUPSET mode=fast: ERR ARGS", final)
    final, _ = adm.cmd("GROUPSET nosuch mode=auto")
    t.ok(final.startswith("ERR NOTFOUND"), "GROUPSET of an unknown group: ERR NOTFOUND", final)
    final, _ = adm.cmd("GROUPSET tech color=red")
    t.ok(final.startswith("ERR ARGS"), "GROUPSET with an unknown option: ERR ARGS", final)
    final, _ = adm.cmd("GROUPSET tech :" + "x" * 1025)
    t.ok(final.startswith("ERR ARGS"), "a description over 1024 bytes: ERR ARGS", final)

    v = srv.client()
    chat = v.hello("name=访客 group=tech :printer")["chat"]
    t.ok(alice.expect_event("QADD " + chat) is not None, "a visitor waits in the manual group tech")
    final, _ = adm.cmd("GROUPSET tech mode=auto :技术支持 desk")
    t.eq(final, "OK", "admin GROUPSET tech mode=auto :description")
    g = groups(adm).get("tech", "")
    t.ok(kv(g).get("mode") == "auto" and text(g) == "技术支持 desk",
         "GROUPS shows the new mode and description", g)
    asg = v.expect_event("ASSIGNED " + chat, 30)
    t.ok(asg is not None, "its queue is routed at once (the visitor is ASSIGNED)", asg)
    final, _ = adm.cmd("GROUPSET tech :")
    t.eq(final, "OK", "GROUPSET with an empty text clears the description")
    g = groups(adm).get("tech", "")
    t.ok(kv(g).get("mode") == "auto" and text(g) == "", "mode kept, description empty", g)
    final, rows = adm.cmd("AUDIT 5")
    t.ok(any(kv(r).get("action") == "groupset" and text(r).startswith("tech mode=auto")
             for r in rows), "AUDIT has the groupset", rows)

    # -- GROUPDEL refusals
    final, _ = adm.cmd("GROUPDEL nosuch")
    t.ok(final.startswith("ERR NOTFOUND"), "GROUPDEL of an unknown group: ERR NOTFOUND", final)
    final, _ = adm.cmd("GROUPDEL sales")
    t.ok(final.startswith("ERR STATE") and "default_group" in final,
         "GROUPDEL of routing.default_group: ERR STATE", final)
    final, _ = adm.cmd("GROUPDEL tech")
    t.ok(final.startswith("ERR STATE") and "member" in final and "alice" in final,
         "GROUPDEL of a group with members: ERR STATE naming them", final)

    adm.ok("GROUPADD old mode=manual :old desk")
    adm.ok("USERADD olga agent groups=old :olga-secret-1")
    final, _ = adm.cmd("GROUPDEL old")
    t.ok(final.startswith("ERR STATE") and "olga" in final, "old has olga: ERR STATE", final)
    adm.ok("USERSET olga groups=")
    v2 = srv.client()
    c2 = v2.hello("name=Ann group=old :hi")["chat"]
    final, _ = adm.cmd("GROUPDEL old")
    t.ok(final.startswith("ERR STATE") and "open chat" in final,
         "a chat queued in old: ERR STATE open chat", final)
    final, _ = v2.cmd("LEAVEMSG phone=13800138000 :please call me")
    t.ok(final.startswith("OK case="), "the visitor leaves a message instead (a case in old)", final)
    case = kv(final)["case"]
    final, _ = adm.cmd("GROUPDEL old")
    t.ok(final.startswith("ERR STATE") and "case" in final,
         "a case of old not closed: ERR STATE", final)
    adm.ok("CASESET %s state=closed" % case)
    final, _ = adm.cmd("REPLYADD hi group=old :Hello from old")
    t.ok(final.startswith("OK id="), "a shared quick reply for old", final)
    final, _ = adm.cmd("GROUPDEL old")
    t.eq(final, "OK replies=1", "GROUPDEL old once it is empty, with its reply")
    t.ok("old" not in groups(adm), "GROUPS no longer lists old")
    final, rows = alice.cmd("REPLIES :Hello from old")
    t.eq(final, "OK 0", "its shared reply is gone")
    final, _ = adm.cmd("USERSET olga groups=old")
    t.ok(final.startswith("ERR ARGS"), "a deleted group cannot be given to an agent", final)
    v3 = srv.client()
    final, _ = v3.cmd("HELLO name=Bo group=old :x")
    t.ok(final.startswith("ERR NOTFOUND"), "HELLO group=old: ERR NOTFOUND", final)
    final, rows = adm.cmd("AUDIT 5")
    t.ok(any(kv(r).get("action") == "groupdel" and text(r) == "old replies=1" for r in rows),
         "AUDIT has the groupdel", rows)
    final, _ = adm.cmd("TRANSCRIPT " + c2)
    t.ok(final.startswith("OK"), "the deleted group's chat stays readable", final)

    # -- GROUPADD brings a deleted name back
    final, _ = adm.cmd("GROUPADD old mode=auto :new old")
    t.eq(final, "OK", "GROUPADD of a deleted name")
    g = groups(adm).get("old", "")
    t.ok(kv(g).get("mode") == "auto" and text(g) == "new old", "it is back with the new values", g)

    # -- a seed group from the config stays deleted after a restart
    final, _ = adm.cmd("GROUPDEL promo")
    t.eq(final, "OK replies=0", "GROUPDEL promo (a group of the config)")
    srv.stop()
    srv.start()
    adm = srv.client(); adm.login("admin")
    gs = groups(adm)
    t.ok("promo" not in gs, "after a restart promo is still deleted", sorted(gs))
    t.ok("old" in gs and kv(gs["old"]).get("mode") == "auto" and "tech" in gs
         and kv(gs["tech"]).get("mode") == "auto", "the other groups kept their changes", gs)
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
