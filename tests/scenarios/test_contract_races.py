"""Races, checked from outside against proto/PROTOCOL.md only: two agents
ACCEPT one chat at once; a visitor ENDs while their chat waits in a queue
after a transfer; an agent's connection drops mid-chat (back within
routing.agent_grace, and not); a visitor drops and comes back inside and
outside visitor.resume_timeout; two connections resume one token; a
supervisor takes over while the agent types; a chat ends while a message
to it is in flight.

Timers are short config values and every wait is for an event with a
generous deadline, so a slow machine only makes a failure take longer."""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
GRACE = 2       # routing.agent_grace
RESUME = 2      # visitor.resume_timeout
srv = Server(extra={"routing": {"agent_grace": GRACE},
                    "visitor": {"resume_timeout": RESUME}})
srv.start_for(t)


def drain(*clients):
    """Forget every event already sent to these clients."""
    for c in clients:
        while c.expect_event("", 0.15) is not None:
            pass


def tagged(c, tag, timeout=20):
    """Read lines until the final reply tagged @tag comes; events go to
    c.events. The final line without its tag, or None."""
    pre = "@" + tag + " "
    end = time.time() + timeout
    while time.time() < end:
        l = c.readline(max(0.1, end - time.time()))
        if l is None:
            return None
        if l.startswith(pre) and not l[len(pre):].startswith("+"):
            return l[len(pre):]
        if l.startswith("* "):
            c.events.append(l[2:])
    return None


def events(c, prefix, wait=0.5):
    """Every event starting with prefix that comes within wait seconds."""
    out = []
    while True:
        e = c.expect_event(prefix, wait)
        if e is None:
            return out
        out.append(e)


try:
    a = srv.client(); a.login("alice")
    b = srv.client(); b.login("bob")
    sup = srv.client(); sup.login("carol")

    # -- two agents ACCEPT the same chat at once, five times over
    wins = []
    for i in range(5):
        v = srv.client()
        chat = v.hello("name=race%d group=tech :who takes me" % i)["chat"]
        a.expect_event("QADD " + chat, 20); b.expect_event("QADD " + chat, 20)
        a.send("@ra%d ACCEPT %s" % (i, chat))
        b.send("@rb%d ACCEPT %s" % (i, chat))
        ra = tagged(a, "ra%d" % i); rb = tagged(b, "rb%d" % i)
        oks = [r for r in (ra, rb) if r is not None and r.startswith("OK chat=" + chat)]
        errs = [r for r in (ra, rb) if r is not None and r.startswith("ERR STATE")]
        t.ok(len(oks) == 1 and len(errs) == 1,
             "round %d: one ACCEPT wins (OK chat=C), the other gets ERR STATE" % i, (ra, rb))
        winner, loser = (a, b) if ra is not None and ra.startswith("OK") else (b, a)
        wins.append(winner is a)
        t.ok(winner.expect_event("ASSIGN " + chat, 20) is not None and
             loser.no_event("ASSIGN " + chat, 0.3),
             "round %d: only the winner gets * ASSIGN" % i)
        assigned = events(v, "ASSIGNED " + chat)
        t.eq(len(assigned), 1, "round %d: the visitor gets exactly one * ASSIGNED" % i)
        final, _ = v.cmd("WHERE")
        want = "Alice" if winner is a else "小王"
        t.eq((kv(final).get("state"), kv(final).get("agent")), ("assigned", want),
             "round %d: WHERE names the winner" % i)
        winner.ok("END " + chat)
        winner.ok("WRAPUP %s general" % chat)
        v.quit()
    drain(a, b, sup)

    # -- ACCEPT without a chat, two agents, one chat in the queue
    v = srv.client()
    chat = v.hello("name=head group=tech :the only one")["chat"]
    a.expect_event("QADD " + chat, 20); b.expect_event("QADD " + chat, 20)
    a.send("@ha ACCEPT"); b.send("@hb ACCEPT")
    ra = tagged(a, "ha"); rb = tagged(b, "hb")
    oks = [r for r in (ra, rb) if r and r.startswith("OK chat=" + chat)]
    t.ok(len(oks) == 1 and all(r is not None and (r.startswith("OK") or r.startswith("ERR "))
                               for r in (ra, rb)),
         "ACCEPT without a chat by two agents: the head goes to one, the other is refused", (ra, rb))
    winner = a if ra.startswith("OK") else b
    winner.ok("END " + chat); winner.ok("WRAPUP %s general" % chat)
    v.quit()
    drain(a, b)

    # -- the visitor ENDs while the chat waits in a queue after a transfer
    v = srv.client()
    chat = v.hello("name=Tran group=tech :move me")["chat"]
    a.ok("ACCEPT " + chat)
    a.ok("MSG %s :moving you" % chat)
    drain(a, b, v)
    a.ok("TRANSFER %s group tech :please take it" % chat)
    q = b.expect_event("QADD " + chat, 20)
    t.ok(q is not None and kv(q).get("pos") == "1" and kv(q).get("from") == "alice",
         "transfer to a group: * QADD at pos=1 from=alice", q)
    tr = v.expect_event("TRANSFERRED " + chat, 20)
    t.ok(tr is not None and kv(tr).get("group") == "tech", "the visitor gets * TRANSFERRED group=tech", tr)
    final, _ = v.cmd("END")
    t.eq(final, "OK", "the visitor's END while the transfer waits: OK")
    t.ok(v.expect_event("ENDED %s by=visitor" % chat, 20) is not None, "the visitor gets * ENDED by=visitor")
    t.ok(b.expect_event("QDEL " + chat, 20) is not None, "the group's agents get * QDEL")
    final, rows = b.cmd("QUEUE tech")
    t.ok(final is not None and not any(r.split()[0] == chat for r in rows),
         "the ended chat is no longer in QUEUE", rows)
    final, _ = b.cmd("ACCEPT " + chat)
    t.ok(final is not None and final.startswith("ERR STATE"), "ACCEPT of the ended chat: ERR STATE", final)
    t.ok(b.no_event("ASSIGN " + chat, 0.3), "nobody is assigned the ended chat")
    v.quit()
    drain(a, b)

    # -- an agent's only connection drops mid-chat and comes back within agent_grace
    bob2 = srv.client(); bob2.login("bob")   # bob keeps his first connection
    b.quit()
    v = srv.client()
    chat = v.hello("name=Grace group=tech :still there?")["chat"]
    a.ok("ACCEPT " + chat)
    drain(v)
    a.quit()                 # alice's last connection
    t.ok(v.no_event("", 0.5), "the visitor is told nothing while the agent may come back")
    a = srv.client(); a.login("alice")
    r = a.expect_event("ASSIGN " + chat, 20)
    t.ok(r is not None and kv(r).get("by") == "resume", "back within agent_grace: * ASSIGN by=resume", r)
    t.ok(a.no_event("UNASSIGNED " + chat, GRACE + 1.5), "and the chat stays hers past agent_grace")
    final, _ = a.cmd("MSG %s :back" % chat)
    t.ok(final.startswith("OK seq="), "she writes in it again", final)

    # -- ... and drops for longer than agent_grace: back to the head of the queue
    drain(v, bob2)
    a.quit()
    q = bob2.expect_event("QADD " + chat, GRACE + 20)
    t.ok(q is not None and kv(q).get("pos") == "1",
         "after agent_grace the chat is back at the head of the queue (* QADD pos=1)", q)
    qv = v.expect_event("QUEUED " + chat, 20)
    t.ok(qv is not None and kv(qv).get("pos") == "1", "the visitor is told: * QUEUED pos=1", qv)
    final, _ = v.cmd("WHERE")
    t.eq(kv(final).get("state"), "queued", "the visitor's WHERE says queued")
    final, _ = bob2.cmd("ACCEPT " + chat)
    t.ok(final.startswith("OK chat=" + chat), "another agent accepts it", final)
    a = srv.client(); a.login("alice")
    t.ok(a.no_event("ASSIGN " + chat, 0.5), "alice, back later, does not get it again")
    bob2.ok("END " + chat); bob2.ok("WRAPUP %s general" % chat)
    v.quit()
    drain(a, bob2, sup)

    # -- an agent's connection drops while a chat is being transferred to them
    v = srv.client()
    chat = v.hello("name=Midxfer group=tech :pass me on")["chat"]
    a.ok("ACCEPT " + chat)
    bob3 = srv.client(); bob3.login("bob")
    bob2.quit()                    # bob3 is now bob's only connection
    drain(a, v)
    a.send("@tx TRANSFER %s agent bob" % chat)
    bob3.send_raw(b"QUIT\n")
    rt = tagged(a, "tx")
    t.ok(rt is not None and (rt == "OK" or rt.startswith("ERR STATE")),
         "TRANSFER to an agent who is leaving: OK or ERR STATE", rt)
    bob3.wait_closed(20)
    if rt == "OK":
        q = a.expect_event("QADD " + chat, GRACE + 20)
        t.ok(q is not None and kv(q).get("pos") == "1",
             "bob does not come back: after agent_grace the chat is at the head of the queue", q)
    else:
        final, _ = a.cmd("MSG %s :still mine" % chat)
        t.ok(final.startswith("OK seq="), "the refused transfer left the chat with alice", final)
    final, _ = v.cmd("WHERE")
    t.ok(kv(final).get("state") in ("queued", "assigned"), "the chat is queued or assigned, never lost", final)
    bob2 = srv.client(); bob2.login("bob")
    if rt == "OK":
        bob2.ok("ACCEPT " + chat)
        bob2.ok("END " + chat); bob2.ok("WRAPUP %s general" % chat)
    else:
        a.ok("END " + chat); a.ok("WRAPUP %s general" % chat)
    v.quit()
    drain(a, bob2, sup)

    # -- a visitor drops and comes back inside the resume window
    v = srv.client()
    h = v.hello("name=Drop group=tech :first words")
    chat, token = h["chat"], h["token"]
    a.ok("ACCEPT " + chat)
    a.ok("MSG %s :agent says" % chat)
    a.ok("NOTE %s :secret note" % chat)
    sup.ok("WHISPER %s :secret whisper" % chat)
    v.close()
    t.ok(a.expect_event("LEFT " + chat, 20) is not None, "the agent gets * LEFT")
    v = srv.client()
    final, _ = v.cmd("HELLO token=" + token)
    f = kv(final)
    t.ok(final.startswith("OK") and f.get("chat") == chat and f.get("resumed") == "1",
         "HELLO token= inside the window: the same chat, resumed=1", final)
    replay = events(v, "MSG " + chat)
    kinds = [e.split()[2] for e in replay]
    t.eq([text(e) for e in replay], ["first words", "agent says"],
         "the replay holds the messages, in order")
    t.ok("note" not in kinds and "whisper" not in kinds, "the replay holds no note or whisper", replay)
    t.ok(a.expect_event("BACK " + chat, 20) is not None, "the agent gets * BACK")

    # -- a second connection resumes the same token: the newer one wins
    v2 = srv.client()
    final, _ = v2.cmd("HELLO token=" + token)
    t.ok(final.startswith("OK") and kv(final).get("chat") == chat and kv(final).get("resumed") == "1",
         "a second connection resumes the same token", final)
    k = v.expect_event("KICKED", 20)
    t.eq(k, "KICKED :resumed elsewhere", "the older connection gets * KICKED :resumed elsewhere")
    t.ok(v.wait_closed(20), "and is closed")
    drain(a)
    final, _ = v2.cmd("SAY :from the new window")
    t.ok(final.startswith("OK seq="), "the newer connection is the visitor's", final)
    m = a.expect_event("MSG " + chat, 20)
    t.eq(text(m), "from the new window", "its message reaches the agent")

    # -- a supervisor takes over while the agent types
    drain(a, v2, sup)
    a.ok("TYPING %s :half a sentence with secrets" % chat)
    ty = v2.expect_event("TYPING " + chat, 20)
    t.ok(ty is not None and kv(ty).get("on") == "1" and text(ty) is None and "secrets" not in ty,
         "the visitor sees that the agent types, not the draft", ty)
    sup.ok("TAKEOVER " + chat)
    u = a.expect_event("UNASSIGNED " + chat, 20)
    t.ok(u is not None and kv(u).get("reason") == "takeover", "the agent gets * UNASSIGNED reason=takeover", u)
    tr = v2.expect_event("TRANSFERRED " + chat, 20)
    t.ok(tr is not None and kv(tr).get("agent") == "Carol", "the visitor gets * TRANSFERRED agent=Carol", tr)
    asg = sup.expect_event("ASSIGN " + chat, 20)
    t.ok(asg is not None and kv(asg).get("by") == "takeover", "the supervisor gets * ASSIGN by=takeover", asg)
    final, _ = a.cmd("TYPING %s :more" % chat)
    t.ok(final.startswith("ERR STATE"), "the old agent's TYPING: ERR STATE", final)
    final, _ = a.cmd("MSG %s :too late" % chat)
    t.ok(final.startswith("ERR STATE"), "the old agent's MSG: ERR STATE", final)
    t.ok(v2.no_event("MSG " + chat, 0.3), "nothing of the old agent reaches the visitor")

    # -- the chat ends while a message to it is in flight
    v2.send("@ve END")
    sup.send("@sm MSG %s :in flight" % chat)
    rv = tagged(v2, "ve"); rs = tagged(sup, "sm")
    t.eq(rv, "OK", "the visitor's END: OK")
    t.ok(rs is not None and (rs.startswith("OK seq=") or rs.startswith("ERR STATE")),
         "the message in flight: stored (OK seq=N) or refused (ERR STATE)", rs)
    final, rows = sup.cmd("TRANSCRIPT " + chat)
    stored = [r for r in rows if text(r) == "in flight"]
    t.eq(len(stored), 1 if rs.startswith("OK") else 0,
         "the transcript holds the message exactly when it was acknowledged")
    seen = events(v2, "")
    after = seen[[e.startswith("ENDED") for e in seen].index(True) + 1:] if any(
        e.startswith("ENDED") for e in seen) else None
    t.ok(after is not None and not any(e.startswith("MSG") for e in after),
         "the visitor gets * ENDED and no message after it", seen)
    final, _ = sup.cmd("MSG %s :after the end" % chat)
    t.ok(final.startswith("ERR STATE"), "MSG to the ended chat: ERR STATE", final)
    final, _ = v2.cmd("SAY :after the end")
    t.ok(final.startswith("ERR STATE"), "SAY after * ENDED: ERR STATE", final)
    final, _ = v2.cmd("END")
    t.ok(final.startswith("ERR STATE"), "a second END: ERR STATE", final)

    # -- a token whose chat is over, its window still open (rating): a new
    # window with the token gets a new chat, and the old one is let go, so
    # one visitor never has two chats open on two connections
    v = srv.client()
    h = v.hello("name=Twotabs group=tech :first chat")
    chat, token, visitor = h["chat"], h["token"], h["visitor"]
    a.ok("ACCEPT " + chat)
    a.ok("END " + chat)
    t.ok(v.expect_event("ENDED " + chat, 20) is not None, "the chat ended; its window stays open")
    v2 = srv.client()
    final, _ = v2.cmd("HELLO token=%s group=tech :second window" % token)
    f = kv(final)
    t.ok(final.startswith("OK") and f.get("visitor") == visitor and f.get("chat") != chat
         and "resumed" not in f, "a new window with the token: a new chat for the same visitor", final)
    k = v.expect_event("KICKED", 20)
    t.eq(k, "KICKED :resumed elsewhere", "the old window gets * KICKED :resumed elsewhere")
    t.ok(v.wait_closed(20), "and is closed")
    try:
        final, _ = v.cmd("HELLO group=tech :a third chat", 5)
    except OSError:
        final = None
    t.ok(final is None, "the old window cannot open a second chat", final)
    final, rows = a.cmd("QUEUE tech")
    mine = [r for r in rows if kv(r).get("visitor") == visitor]
    t.eq(len(mine), 1, "the visitor has one chat waiting, not two")
    final, _ = v2.cmd("END")
    t.eq(final, "OK", "the new window ENDs its chat")
    v2.quit()
    drain(a)

    # -- both sides END at once: one wins, one * ENDED each
    v = srv.client()
    chat = v.hello("name=Both group=tech :bye")["chat"]
    a.ok("ACCEPT " + chat)
    drain(a, v)
    v.send("@vb END"); a.send("@ab END " + chat)
    rv = tagged(v, "vb"); ra = tagged(a, "ab")
    t.ok(sorted([rv.split()[0] if rv else None, ra.split()[0] if ra else None]) == ["ERR", "OK"]
         and "ERR STATE" in (rv + ra), "END from both sides at once: one OK, one ERR STATE", (rv, ra))
    t.eq(len(events(v, "ENDED " + chat)), 1, "the visitor gets one * ENDED")
    t.eq(len(events(a, "ENDED " + chat)), 1, "the agent gets one * ENDED")
    v.quit()

    # -- a visitor drops and comes back after the resume window
    v = srv.client()
    h = v.hello("name=Late group=tech :gone too long")
    chat, token, visitor = h["chat"], h["token"], h["visitor"]
    a.ok("ACCEPT " + chat)
    drain(a)
    v.close()
    e = a.expect_event("ENDED " + chat, RESUME + 20)
    t.ok(e is not None and kv(e).get("by") == "timeout", "after resume_timeout the agent gets * ENDED by=timeout", e)
    v = srv.client()
    final, _ = v.cmd("HELLO token=%s group=tech" % token)
    f = kv(final)
    t.ok(final.startswith("OK") and f.get("visitor") == visitor and f.get("chat") not in (None, chat)
         and "resumed" not in f, "HELLO token= after the window: a new chat for the same visitor", final)
    t.ok(v.no_event("MSG " + chat, 0.3), "and no replay of the old chat")
    v.quit()

    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
