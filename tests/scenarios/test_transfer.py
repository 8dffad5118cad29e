"""Moving chats between people: transfer to an agent with a note, transfer
back to a group's queue (at its head), refusals for offline/away/full
agents, inviting a second agent and leaving again, and the supervisor's
monitor, whisper and takeover."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text



def drain(*clients):
    """Forget every event already sent to these clients."""
    for c in clients:
        while c.expect_event("", 0.15) is not None:
            pass


t = Tap()
srv = Server().start()
try:
    a = srv.client(); a.login("alice")
    b = srv.client(); b.login("bob")
    s = srv.client(); s.login("carol")
    v = srv.client()
    h = v.hello("name=Lin group=tech :my printer is on fire")
    chat = h["chat"]
    a.ok("ACCEPT " + chat)
    a.ok("MSG %s :Let me help" % chat)
    drain(v)

    # -- transfer to an agent, with a note
    final, _ = a.cmd("TRANSFER %s agent bob :customer is VIP, printer model X1" % chat)
    t.eq(final, "OK", "alice transfers the chat to bob with a note")
    e = b.expect_event("ASSIGN " + chat)
    f = kv(e)
    t.ok(f.get("by") == "transfer" and f.get("from") == "alice" and f.get("group") == "tech"
         and f.get("name") == "Lin", "bob gets ASSIGN by=transfer from=alice", e)
    t.eq(text(e), "customer is VIP, printer model X1", "the note travels with the ASSIGN")
    un = a.expect_event("UNASSIGNED " + chat)
    t.ok(un is not None and kv(un).get("reason") == "transfer", "alice gets UNASSIGNED reason=transfer", un)
    tr = v.expect_event("TRANSFERRED " + chat)
    t.ok(tr is not None and kv(tr).get("agent") == "小王", "the visitor gets TRANSFERRED agent=小王", tr)
    t.ok(v.no_event("MSG", 0.3), "the visitor does not see the internal note")
    final, rows = b.cmd("TRANSCRIPT " + chat)
    notes = [text(r) for r in rows if kv(r).get("kind") == "note"]
    t.eq(notes, ["customer is VIP, printer model X1"], "the note is kept in the transcript for bob")
    final, _ = a.cmd("MSG %s :still mine?" % chat)
    t.ok(final.startswith("ERR STATE"), "alice can no longer write in the chat", final)
    final, _ = b.cmd("MSG %s :Bob here" % chat)
    t.ok(final.startswith("OK seq="), "bob writes in the chat", final)
    m = v.expect_event("MSG " + chat)
    t.eq(text(m), "Bob here", "the visitor gets bob's message")
    final, _ = a.cmd("TRANSFER %s agent carol" % chat)
    t.ok(final.startswith("ERR STATE"), "only the owner may transfer", final)

    # -- refusals: unknown, offline, away, full, self
    final, _ = b.cmd("TRANSFER %s agent nobody" % chat)
    t.ok(final.startswith("ERR NOTFOUND"), "transfer to an unknown agent: ERR NOTFOUND", final)
    final, _ = b.cmd("TRANSFER %s agent admin" % chat)
    t.ok(final.startswith("ERR STATE"), "transfer to an agent who is not connected: refused", final)
    s.ok("STATUS away")
    final, _ = b.cmd("TRANSFER %s agent carol" % chat)
    t.ok(final.startswith("ERR STATE"), "transfer to an away agent: refused", final)
    s.ok("STATUS online")
    final, _ = b.cmd("TRANSFER %s agent bob" % chat)
    t.ok(final.startswith("ERR STATE"), "transfer to oneself: refused", final)
    final, _ = b.cmd("TRANSFER %s nowhere bob" % chat)
    t.ok(final.startswith("ERR ARGS"), "transfer to neither agent nor group: ERR ARGS", final)
    fill = []
    for i in range(2):
        fv = srv.client()
        fh = fv.hello("name=Fill%d group=tech :q" % i)
        b.ok("ACCEPT " + fh["chat"])
        fill.append((fh["chat"], fv))
    other = srv.client()
    oh = other.hello("name=Other group=tech :another question")
    a.ok("ACCEPT " + oh["chat"])
    final, _ = a.cmd("TRANSFER %s agent bob" % oh["chat"])
    t.ok(final.startswith("ERR LIMIT"), "transfer to an agent at max (bob 3/3): ERR LIMIT", final)
    final, rows = a.cmd("CHATS")
    t.ok(any(r.startswith(oh["chat"] + " ") and "state=active" in r for r in rows),
         "after a refused transfer the chat stays with its owner", rows)
    for fc, fv in fill:
        b.ok("END " + fc)

    # -- transfer to a group: back to the head of its queue
    w = srv.client()
    wh = w.hello("name=Waiting group=tech :I was here first")
    w.expect_event("QUEUED")
    drain(b, v)
    final, _ = b.cmd("TRANSFER %s group tech :needs a printer expert" % chat)
    t.eq(final, "OK", "bob transfers the chat to group tech")
    un = b.expect_event("UNASSIGNED " + chat)
    t.ok(un is not None and kv(un).get("reason") == "transfer", "bob gets UNASSIGNED reason=transfer", un)
    tr = v.expect_event("TRANSFERRED " + chat)
    t.ok(tr is not None and kv(tr).get("group") == "tech", "the visitor gets TRANSFERRED group=tech", tr)
    q = v.expect_event("QUEUED " + chat)
    t.ok(q is not None and kv(q).get("pos") == "1", "the visitor is at pos=1", q)
    final, rows = a.cmd("QUEUE tech")
    t.eq([r.split()[0] for r in rows], [chat, wh["chat"]],
         "QUEUE tech: the transferred chat is ahead of the one that waited")
    q = w.expect_event("QUEUED " + wh["chat"], 30)
    t.eq(kv(q).get("pos"), "2", "the other visitor is told pos=2")

    # -- invite a second agent, then leave
    a.ok("ACCEPT " + chat)
    drain(a, b, v)
    final, _ = a.cmd("INVITE %s bob" % chat)
    t.eq(final, "OK", "alice invites bob")
    e = b.expect_event("ASSIGN " + chat)
    t.ok(e is not None and kv(e).get("by") == "invite" and kv(e).get("from") == "alice",
         "bob gets ASSIGN by=invite from=alice", e)
    final, _ = a.cmd("INVITE %s bob" % chat)
    t.ok(final.startswith("ERR STATE"), "inviting him twice: ERR STATE", final)
    final, rows = b.cmd("CHATS")
    t.ok(any(r.startswith(chat + " ") and "state=invited" in r for r in rows), "bob's CHATS shows it as invited", rows)
    v.ok("SAY :thanks for the help")
    m = b.expect_event("MSG " + chat)
    t.eq(text(m), "thanks for the help", "the invited agent gets the visitor's messages")
    a.ok("MSG %s :bob, any idea?" % chat)
    m = b.expect_event("MSG " + chat)
    t.eq(text(m), "bob, any idea?", "and the owner's")
    final, _ = b.cmd("MSG %s :try turning it off" % chat)
    t.ok(final.startswith("OK seq="), "the invited agent may write", final)
    m = v.expect_event("MSG %s %s" % (chat, kv(final)["seq"]))
    t.eq(text(m), "try turning it off", "the visitor gets the invited agent's message")
    final, _ = a.cmd("LEAVE " + chat)
    t.ok(final.startswith("ERR STATE"), "the owner cannot LEAVE", final)
    final, _ = b.cmd("LEAVE " + chat)
    t.eq(final, "OK", "bob leaves")
    drain(b)
    v.ok("SAY :still there?")
    t.ok(b.no_event("MSG", 0.4), "after LEAVE bob gets no more messages")
    final, _ = b.cmd("MSG %s :sneaky" % chat)
    t.ok(final.startswith("ERR STATE"), "after LEAVE bob cannot write", final)

    # -- supervisor: monitor, whisper, takeover
    final, _ = s.cmd("MONITOR " + chat)
    t.eq(final, "OK", "carol monitors the chat")
    v.ok("SAY :hello?")
    m = s.expect_event("MSG " + chat)
    t.eq(text(m), "hello?", "the monitor gets the visitor's message")
    a.ok("MSG %s :yes, here" % chat)
    m = s.expect_event("MSG " + chat)
    t.eq(text(m), "yes, here", "and the agent's")
    drain(v)
    final, _ = s.cmd("WHISPER %s :offer a replacement" % chat)
    t.ok(final.startswith("OK seq="), "carol whispers", final)
    wseq = kv(final)["seq"]
    m = a.expect_event("MSG %s %s whisper" % (chat, wseq))
    t.ok(m is not None and text(m) == "offer a replacement", "the agent sees the whisper", m)
    t.ok(v.no_event("MSG", 0.4), "the visitor does not")
    final, _ = s.cmd("UNMONITOR " + chat)
    t.eq(final, "OK", "UNMONITOR")
    drain(s)
    v.ok("SAY :one more thing")
    t.ok(s.no_event("MSG", 0.4), "after UNMONITOR carol gets nothing")
    final, _ = s.cmd("TAKEOVER " + chat)
    t.eq(final, "OK", "carol takes the chat over")
    un = a.expect_event("UNASSIGNED " + chat)
    t.ok(un is not None and kv(un).get("reason") == "takeover", "alice gets UNASSIGNED reason=takeover", un)
    e = s.expect_event("ASSIGN " + chat)
    t.ok(e is not None and kv(e).get("by") == "takeover" and kv(e).get("from") == "alice",
         "carol gets ASSIGN by=takeover from=alice", e)
    tr = v.expect_event("TRANSFERRED " + chat)
    t.ok(tr is not None and kv(tr).get("agent") == "Carol", "the visitor is told Carol has the chat", tr)
    final, _ = a.cmd("MSG %s :me again" % chat)
    t.ok(final.startswith("ERR STATE"), "alice can no longer write", final)
    drain(v)
    s.ok("MSG %s :I am the supervisor" % chat)
    m = v.expect_event("MSG " + chat)
    t.eq(text(m), "I am the supervisor", "the visitor gets carol's message")
    final, _ = s.cmd("TAKEOVER " + chat)
    t.ok(final.startswith("ERR STATE"), "taking over one's own chat: ERR STATE", final)
    final, rows = s.cmd("TRANSCRIPT " + chat)
    kinds = [kv(r).get("kind") for r in rows]
    t.ok("whisper" in kinds and kinds.count("note") == 2, "the transcript keeps whisper and notes", kinds)
    seqs = [int(r.split()[0]) for r in rows]
    t.eq(seqs, list(range(1, len(seqs) + 1)), "transcript seqs are 1..N with no gap")
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
