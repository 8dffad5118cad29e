"""Account administration: USERSET disabled=1 logs the account out at once
on every connection (TCP, unix socket TICKET logins of the SSH gateway) and
puts its chats back in the queue; a disabled account is refused on every
login path (LOGIN, the gateway's AUTHPASS, AUTHKEY, MKTICKET, TICKET) and
comes back with disabled=0; a change made in the database outside (the
`kefud user` path) is applied by the running kefud; an admin resets a
password (PASSWD) and logs another account out (LOGOUT <name>)."""
import os, sqlite3, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

KEY_TYPE = "ssh-ed25519"
KEY_B64 = "AAAAC3NzaC1lZDI1NTE5AAAAIGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE"

t = Tap()


def kicked(c, why):
    ev = c.expect_event("KICKED", 30)
    return ev is not None and text(ev) == why and c.wait_closed(15)


srv = Server().fake_gateway().start()
try:
    g, final = srv.gateway_client()
    t.ok(final == "OK", "the gateway logs in with its secret", final)
    adm = srv.client(); adm.login("admin")
    alice = srv.client(); alice.login("alice")
    adm.ok("KEYADD bob :%s %s bob@laptop" % (KEY_TYPE, KEY_B64))

    # bob: two TCP connections and one console over "SSH" (a ticket login)
    b1 = srv.client(); b1.login("bob")
    b2 = srv.client(); b2.login("bob")
    final, _ = g.cmd("MKTICKET bob")
    tok = kv(final).get("token")
    b3 = srv.client(unix=True)
    final, _ = b3.cmd("TICKET bob " + tok)
    t.ok(final is not None and final.startswith("OK name=bob"), "bob logs in over a ticket", final)
    final, _ = g.cmd("MKTICKET bob")
    spare = kv(final).get("token")      # made before the disable: must die with it

    # bob takes a chat; alice goes away so it stays with bob
    alice.ok("STATUS away")
    v = srv.client()
    chat = v.hello("name=访客 group=tech :help")["chat"]
    b1.ok("ACCEPT " + chat)
    t.ok(v.expect_event("ASSIGNED " + chat) is not None, "bob has the chat")
    alice.ok("STATUS online")

    # -- disable: refused for oneself and for a bad value
    final, _ = adm.cmd("USERSET admin disabled=1")
    t.ok(final.startswith("ERR STATE"), "an admin cannot disable themselves", final)
    final, _ = adm.cmd("USERSET bob disabled=yes")
    t.ok(final.startswith("ERR ARGS"), "disabled=yes: ERR ARGS", final)
    final, _ = adm.cmd("USERSET bob")
    t.ok(final.startswith("ERR ARGS"), "USERSET without a change: ERR ARGS", final)

    alice.events.clear()
    final, _ = adm.cmd("USERSET bob disabled=1")
    t.eq(final, "OK", "admin USERSET bob disabled=1")
    for n, c in (("first TCP", b1), ("second TCP", b2), ("ticket (SSH)", b3)):
        t.ok(kicked(c, "account disabled"),
             "bob's %s connection gets * KICKED :account disabled and is closed" % n)
    q = alice.expect_event("QADD " + chat, 30) or alice.expect_event("ASSIGN " + chat, 30)
    t.ok(q is not None, "bob's chat goes back to the queue at once (no grace)", alice.events)
    final, rows = adm.cmd("AGENTS")
    brow = [r for r in rows if r.startswith("bob ")]
    t.ok(brow and kv(brow[0]).get("disabled") == "1" and kv(brow[0]).get("status") == "offline",
         "AGENTS shows bob disabled=1, offline", brow)
    arow = [r for r in rows if r.startswith("alice ")]
    t.ok(arow and "disabled" not in kv(arow[0]), "AGENTS shows no disabled= for alice", arow)

    # -- every login path refuses bob
    n = srv.client()
    final, _ = n.cmd("LOGIN bob :bob123")
    t.ok(final.startswith("ERR DENIED") and "disabled" in final,
         "LOGIN with the right password: ERR DENIED ... disabled", final)
    final, _ = n.cmd("LOGIN bob :wrong-pw")
    t.ok(final.startswith("ERR AUTH"), "LOGIN with a wrong password: ERR AUTH (nothing told)", final)
    final, _ = g.cmd("AUTHPASS bob addr=10.1.1.1 :bob123")
    t.ok(final.startswith("ERR DENIED"), "gateway AUTHPASS: ERR DENIED", final)
    final, _ = g.cmd("AUTHKEY bob addr=10.1.1.1 :%s %s" % (KEY_TYPE, KEY_B64))
    t.ok(final.startswith("ERR DENIED"), "gateway AUTHKEY with bob's key: ERR DENIED", final)
    final, _ = g.cmd("MKTICKET bob")
    t.ok(final.startswith("ERR DENIED"), "gateway MKTICKET: ERR DENIED", final)
    k = srv.client(unix=True)
    final, _ = k.cmd("TICKET bob " + spare)
    t.ok(final.startswith("ERR AUTH"), "a ticket made before the disable: ERR AUTH", final)
    final, rows = adm.cmd("AUDIT 20")
    t.ok(any(kv(r).get("action") == "userset" and text(r) == "bob disabled" for r in rows),
         "AUDIT has userset 'bob disabled'", rows)

    # -- enable again
    final, _ = adm.cmd("USERSET bob disabled=0")
    t.eq(final, "OK", "admin USERSET bob disabled=0")
    final, _ = n.cmd("LOGIN bob :bob123")
    t.ok(final.startswith("OK name=bob"), "bob logs in again", final)
    final, _ = g.cmd("AUTHKEY bob addr=10.1.1.1 :%s %s" % (KEY_TYPE, KEY_B64))
    t.ok(final.startswith("OK role=agent"), "AUTHKEY accepts bob's key again", final)
    final, rows = adm.cmd("AUDIT 20")
    t.ok(any(text(r) == "bob enabled" for r in rows), "AUDIT has 'bob enabled'")

    # -- disabled outside (the database, as `kefud user` writes it)
    db = sqlite3.connect(srv.db, timeout=30)
    db.execute("UPDATE users SET disabled=1 WHERE name='bob'")
    db.commit()
    t.ok(kicked(n, "account disabled"), "a disable written to the database outside kicks bob")
    n2 = srv.client()
    final, _ = n2.cmd("LOGIN bob :bob123")
    t.ok(final.startswith("ERR DENIED"), "and refuses his login", final)
    db.execute("UPDATE users SET disabled=0 WHERE name='bob'")
    db.commit()
    db.close()
    final = None
    for _ in range(100):        # the change reaches kefud within a second
        final, _ = n2.cmd("LOGIN bob :bob123")
        if final.startswith("OK"):
            break
        time.sleep(0.1)
    t.ok(final.startswith("OK name=bob"), "enabled outside: bob logs in", final)

    # -- reset a password (PASSWD by an admin)
    final, _ = adm.cmd("PASSWD bob :fresh-start-7")
    t.eq(final, "OK", "admin resets bob's password without old=")
    t.ok(kicked(n2, "password changed"), "bob's connection is kicked: password changed")
    n3 = srv.client()
    final, _ = n3.cmd("LOGIN bob :bob123")
    t.ok(final.startswith("ERR AUTH"), "the old password no longer works", final)
    final, _ = n3.cmd("LOGIN bob :fresh-start-7")
    t.ok(final.startswith("OK name=bob"), "the new one does", final)

    # -- LOGOUT <name>: force a logout
    n4 = srv.client(); n4.login("bob", "fresh-start-7")
    final, _ = alice.cmd("LOGOUT bob")
    t.ok(final.startswith("ERR DENIED"), "an agent cannot LOGOUT someone else", final)
    final, _ = adm.cmd("LOGOUT nobody")
    t.ok(final.startswith("ERR NOTFOUND"), "LOGOUT of an unknown user: ERR NOTFOUND", final)
    final, _ = adm.cmd("LOGOUT bob")
    t.eq(final, "OK connections=2", "admin LOGOUT bob closes his 2 connections")
    t.ok(kicked(n3, "logged out by an admin") and kicked(n4, "logged out by an admin"),
         "both get * KICKED :logged out by an admin")
    n5 = srv.client()
    final, _ = n5.cmd("LOGIN bob :fresh-start-7")
    t.ok(final.startswith("OK name=bob"), "a forced logout is no ban: bob logs in again", final)
    final, rows = adm.cmd("AUDIT 5")
    t.ok(any(kv(r).get("action") == "logout" and kv(r).get("actor") == "admin" and text(r) == "bob"
             for r in rows), "AUDIT has admin's logout of bob", rows)
    final, _ = alice.cmd("LOGOUT alice")
    t.eq(final, "OK connections=0", "LOGOUT with one's own name logs this connection out")
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
