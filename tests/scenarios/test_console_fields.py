"""What the agent console needs from the events: * QADD says where the chat
stands in its group's queue (pos=1 when a chat is put back at the head),
* ASSIGN of an auto-routed chat says how long the agent has to answer
(timeout=), and a returning visitor who gives no name= keeps the stored one
(in * QADD, * ASSIGN, CHATS and messages)."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv

t = Tap()
srv = Server(extra={"routing": {"answer_timeout": 30}}).start()
try:
    a = srv.client(); a.login("alice")
    b = srv.client(); b.login("bob")
    a.ok("STATUS away"); b.ok("STATUS away")      # keep sales from routing for now

    # -- QADD pos: appended at the end, or put back at the head
    v1 = srv.client(); h1 = v1.hello("name=Ann group=tech :one")
    v2 = srv.client(); h2 = v2.hello("name=Ben group=tech :two")
    e1 = a.expect_event("QADD " + h1["chat"])
    e2 = a.expect_event("QADD " + h2["chat"])
    t.ok(kv(e1).get("pos") == "1" and kv(e2).get("pos") == "2",
         "QADD pos= is the place in the group's queue", (e1, e2))
    b.ok("ACCEPT " + h2["chat"])
    b.ok("TRANSFER %s group tech" % h2["chat"])
    back = a.expect_event("QADD " + h2["chat"])
    t.ok(back is not None and kv(back).get("pos") == "1",
         "a chat put back by a transfer comes with pos=1", back)
    _, rows = a.cmd("QUEUE tech")
    t.eq([r.split()[0] for r in rows], [h2["chat"], h1["chat"]],
         "QUEUE lists it first too")

    # -- ASSIGN timeout= for auto-routed chats only
    a.ok("STATUS online")
    v3 = srv.client(); h3 = v3.hello("name=Cat group=sales :auto")
    asg = a.expect_event("ASSIGN " + h3["chat"])
    tmo = int(kv(asg).get("timeout", "-1")) if asg else -1
    t.ok(asg is not None and "by=auto" in asg and 28 <= tmo <= 30,
         "an auto-assigned chat says how long is left to answer", asg)
    asg = None
    a.ok("ACCEPT " + h1["chat"])
    asg = a.expect_event("ASSIGN " + h1["chat"])
    t.ok(asg is not None and "timeout=" not in asg, "an accepted chat has no timeout", asg)

    # -- a returning visitor without name= keeps the stored name
    a.ok("STATUS away")
    a.ok("WRAPUP %s general :done" % h1["chat"])
    v4 = srv.client()
    h4 = v4.hello("token=%s group=tech :again" % h1["token"])
    t.ok(h4.get("visitor") == h1["visitor"] and h4.get("chat") != h1["chat"],
         "the token brings the same visitor back with a new chat", h4)
    q = a.expect_event("QADD " + h4["chat"])
    t.ok(q is not None and kv(q).get("name") == "Ann", "QADD carries the stored name", q)
    a.ok("ACCEPT " + h4["chat"])
    asg = a.expect_event("ASSIGN " + h4["chat"])
    t.ok(asg is not None and kv(asg).get("name") == "Ann", "so does ASSIGN", asg)
    v4.ok("SAY :hello again")
    m = a.expect_event("MSG " + h4["chat"])
    t.ok(m is not None and m.split()[4] == "Ann", "and the visitor's messages", m)
finally:
    srv.cleanup()
t.done()
