"""The blacklist (BAN, UNBAN, BANS): an agent bans a visitor (by number,
address or CIDR range) with a reason and an optional end; the visitor's
open chat ends, their HELLO (again, or back with their token) and LEAVEMSG
get a polite ERR DENIED that never shows the reason, so nothing they send
reaches an agent; BANS lists who banned what, why and when; UNBAN and the
end time lift it; bans and unbans are audited."""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv, text

t = Tap()
srv = Server().start()


def refused(final):
    return (final is not None and final.startswith("ERR DENIED") and "辱骂" not in final
            and "spam" not in final)


try:
    a = srv.client(); a.login("alice")
    adm = srv.client(); adm.login("admin")
    v = srv.client()
    h = v.hello("name=坏人 group=tech :hi")
    vid, tok, chat = h["visitor"], h["token"], h["chat"]
    a.ok("ACCEPT " + chat)

    for line in ("BAN user 1 :x", "BAN visitor abc :x", "BAN addr 999.1.1.1 :x",
                 "BAN addr 10.0.0.0/8 :x", "BAN cidr 10.0.0.0/33 :x", "BAN cidr fe80::/129 :x",
                 "BAN visitor 1 until=2001-01-01T00:00Z :x", "BAN visitor 1 for=ever :x",
                 "BAN visitor 1 :", "BAN visitor 1"):
        final, _ = a.cmd(line)
        t.ok(final is not None and final.startswith("ERR ARGS"), "%s: ERR ARGS" % line, final)

    final, _ = a.cmd("BAN visitor %s :辱骂客服" % vid)
    t.ok(final.startswith("OK id="), "an agent bans the visitor: OK id=N", final)
    ban1 = kv(final)["id"]
    t.ok(v.expect_event("ENDED %s" % chat) is not None, "the banned visitor's open chat ends")
    final, _ = v.cmd("SAY :you will hear me")
    t.ok(final.startswith("ERR STATE"), "what they SAY reaches nobody (ERR STATE)", final)
    final, _ = v.cmd("HELLO group=tech :again")
    t.ok(refused(final), "HELLO again: a polite ERR DENIED without the reason", final)
    final, _ = v.cmd("LEAVEMSG phone=12345678 :let me in")
    t.ok(refused(final), "LEAVEMSG: refused the same way", final)
    v.close()
    v2 = srv.client()
    final, _ = v2.cmd("HELLO token=%s group=tech :back" % tok)
    t.ok(refused(final), "back with their token: refused", final)
    other = srv.client()
    final, _ = other.cmd("HELLO name=Good group=tech :hello")
    t.ok(final.startswith("OK visitor="), "another visitor from the same address is served", final)

    final, rows = adm.cmd("BANS")
    row = [r for r in rows if r.startswith(ban1 + " ")]
    f = kv(row[0]) if row else {}
    t.ok(row and f.get("kind") == "visitor" and f.get("value") == vid and f.get("by") == "alice"
         and f.get("created") and text(row[0]) == "辱骂客服" and "until" not in f,
         "BANS lists the ban: kind, value, by, created, reason", rows)

    final, _ = a.cmd("UNBAN " + ban1)
    t.eq(final, "OK", "UNBAN")
    final, _ = a.cmd("UNBAN " + ban1)
    t.ok(final.startswith("ERR NOTFOUND"), "UNBAN again: ERR NOTFOUND", final)
    v3 = srv.client()
    final, _ = v3.cmd("HELLO token=%s group=tech :back again" % tok)
    t.ok(final.startswith("OK visitor=%s " % vid), "after UNBAN the visitor is served again", final)

    # an address range with an end: everyone from 127.0.0.0/8 until then
    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
    final, _ = a.cmd("BAN cidr 127.0.0.0/8 until=%s :spam wave" % until)
    t.ok(final.startswith("OK id="), "BAN cidr 127.0.0.0/8 until=+3s", final)
    t.ok(v3.expect_event("ENDED") is not None, "the open chat from the range ends")
    n = srv.client()
    final, _ = n.cmd("HELLO group=tech :new")
    t.ok(refused(final), "a new visitor from the range is refused", final)
    ok_again = None
    deadline = time.time() + 20
    while time.time() < deadline:
        c = srv.client()
        final, _ = c.cmd("HELLO group=tech :later")
        c.close()
        if final and final.startswith("OK"):
            ok_again = final
            break
        time.sleep(0.5)
    t.ok(ok_again is not None, "after its end the range is served again", ok_again)
    final, rows = adm.cmd("BANS")
    t.eq(rows, [], "BANS no longer lists the ban that is over")

    final, _ = a.cmd("BAN addr \\::1 :v6")    # a leading colon is escaped
    t.ok(final.startswith("OK id="), "an IPv6 address can be banned", final)
    a.ok("UNBAN " + kv(final)["id"])

    final, rows = adm.cmd("AUDIT 50")
    acts = [(kv(r).get("actor"), kv(r).get("action")) for r in rows]
    t.ok(acts.count(("alice", "ban")) == 3 and acts.count(("alice", "unban")) == 2,
         "bans and unbans are in the audit trail", acts)

    # bans outlive a restart
    final, _ = a.cmd("BAN visitor %s :辱骂客服" % vid)
    t.ok(final.startswith("OK id="), "ban the visitor again", final)
    srv.stop()
    srv.start()
    r = srv.client()
    final, _ = r.cmd("HELLO token=%s group=tech :after the restart" % tok)
    t.ok(refused(final), "after a restart the ban still holds", final)
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
