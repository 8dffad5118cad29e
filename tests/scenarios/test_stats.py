"""STATS (issue 13, the console's status bar): an agent's own figures for
today, from the same computation as REPORT: chats offered to them (whose
last owner they are), answered, average first response, rated chats and
their average. Each agent sees only their own; visitors may not ask."""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv

t = Tap()
srv = Server({"groups": [{"name": "sales", "mode": "manual"},
                         {"name": "tech", "mode": "manual"}]}).start()
try:
    a = srv.client(); a.login("alice")
    b = srv.client(); b.login("bob")
    day = time.strftime("%Y-%m-%d")
    final, _ = a.cmd("STATS")
    t.eq(final, "OK day=%s offered=0 answered=0 frt_avg=- rated=0 rating_avg=-" % day,
         "a fresh agent: nothing today, no averages")
    final, _ = a.cmd("STATS bob")
    t.ok(final.startswith("ERR ARGS"), "STATS takes no argument (only your own)", final)

    v = srv.client(); chat = v.hello("name=Ann group=sales :hi")["chat"]
    a.ok("ACCEPT " + chat)
    a.ok("MSG %s :hello Ann" % chat)
    v.ok("END")
    v.ok("RATE 4 :ok")
    v2 = srv.client(); chat2 = v2.hello("name=Ben group=sales :hello")["chat"]
    a.ok("ACCEPT " + chat2)
    final, _ = a.cmd("STATS")
    f = kv(final)
    t.ok(final.startswith("OK day=" + day) and f.get("offered") == "2" and f.get("answered") == "1"
         and f.get("rated") == "1" and f.get("rating_avg") == "4.00",
         "two chats today, one answered and rated 4", final)
    t.ok(f.get("frt_avg", "-") != "-" and float(f["frt_avg"]) >= 0,
         "an average first response once a chat is answered", final)
    final, _ = b.cmd("STATS")
    t.ok(kv(final).get("offered") == "0", "bob's figures do not count alice's chats", final)
    sup = srv.client(); sup.login("carol")
    final, _ = sup.cmd("STATS")
    t.ok(final.startswith("OK day="), "a supervisor has STATS too (their own)", final)
    final, _ = v2.cmd("STATS")
    t.ok(final.startswith("ERR DENIED"), "a visitor: ERR DENIED", final)
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
