"""SIGHUP reloads routing.default_group, routing.regions and routing.geoip_db
(all three or, when one fails, none) while chats are in flight: visitors
routed after the reload follow the new rules, database and default group
(made if missing); chats already queued or with an agent keep their group,
their place and their agent. A geoip_db that is not a MaxMind DB is logged
and the running routing stays. Across a restart of kefud, a bot chat keeps
counting its unanswered questions toward bot.max_misses. The reload is
awaited in the log, never slept on."""
import os, signal, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from kefutest import Server, Tap, Client, kv, text, wait_for
import mkmmdb

t = Tap()
GROUPS = [{"name": "sales", "mode": "manual"}, {"name": "tech", "mode": "manual"},
          {"name": "vip", "mode": "manual"}, {"name": "cn", "mode": "manual"}]


def hello(srv, source, words=":hi"):
    c = Client(port=srv.port, source=source)
    return c, c.hello("name=v " + words)


def queue(adm):
    """{chat: (group, pos)} of the queue as an admin sees it."""
    final, rows = adm.cmd("QUEUE")
    return {r.split()[0]: (kv(r).get("group"), kv(r).get("pos")) for r in rows}


def reload(srv, routing):
    """Write routing into the file, SIGHUP, wait for the log to say so."""
    before = srv.log().count("configuration reloaded")
    srv.config["routing"] = routing
    srv.write_config()
    srv.proc.send_signal(signal.SIGHUP)
    return wait_for(lambda: srv.log().count("configuration reloaded") > before, 60)


def routing_reload(srv, tmp):
    adm = srv.client(); adm.login("admin")
    alice = srv.client(); alice.login("alice")
    base = dict(srv.config["routing"])
    v9, h9 = hello(srv, "127.0.0.9")
    v10, h10 = hello(srv, "127.0.0.10")
    q = queue(adm)
    t.ok(q.get(h9["chat"], ("",))[0] == "tech" and q.get(h10["chat"], ("",))[0] == "sales",
         "before: 127.0.0.9 goes to tech by its rule, 127.0.0.10 to the default group", q)
    va, ha = hello(srv, "127.0.0.9", ":mine")
    final, _ = alice.cmd("ACCEPT " + ha["chat"])
    t.ok(final is not None and final.startswith("OK"), "alice takes a tech chat", final)
    pos_before = queue(adm)

    db = os.path.join(tmp, "geo.mmdb")
    with open(db, "wb") as f:
        f.write(mkmmdb.build([("127.0.0.12/32", mkmmdb.city("CN", "GD"))]))
    new = dict(base, default_group="later",
               regions=[{"cidr": "127.0.0.9/32", "group": "vip"},
                        {"cidr": "127.0.0.10/32", "group": "tech"},
                        {"country": "CN", "group": "cn"}],
               geoip_db=db)
    t.ok(reload(srv, new), "SIGHUP: the configuration is reloaded", srv.log()[-400:])
    q = queue(adm)
    t.ok(q.get(h9["chat"]) == pos_before.get(h9["chat"]) and
         q.get(h10["chat"]) == pos_before.get(h10["chat"]),
         "queued chats keep their group and place", (pos_before, q))
    final, _ = alice.cmd("MSG %s :still yours" % ha["chat"])
    e = va.expect_event("MSG %s " % ha["chat"])
    t.ok(final is not None and final.startswith("OK") and e is not None and
         text(e) == "still yours", "alice's chat stays hers and works", (final, e))
    v9b, h = hello(srv, "127.0.0.9")
    t.eq(queue(adm).get(h["chat"], ("",))[0], "vip", "after: 127.0.0.9 follows the new rule (vip)")
    v10b, h = hello(srv, "127.0.0.10")
    t.eq(queue(adm).get(h["chat"], ("",))[0], "tech", "after: 127.0.0.10 has a rule now (tech)")
    v11, h = hello(srv, "127.0.0.11")
    t.eq(queue(adm).get(h["chat"], ("",))[0], "later",
         "after: no rule, the new default group (made by the reload)")
    final, rows = adm.cmd("GROUPS")
    t.ok(any(r.split()[0] == "later" for r in rows), "GROUPS lists the new default group", rows)
    v12, h = hello(srv, "127.0.0.12")
    final, rows = adm.cmd("VISITOR " + h["visitor"])
    card = {}
    for r in rows:
        card.update(kv(r))
    t.ok(queue(adm).get(h["chat"], ("",))[0] == "cn" and card.get("region") == "CN-GD",
         "after: the new geoip_db gives CN-GD, the country rule routes to cn", card)

    bad = os.path.join(tmp, "bad.mmdb")
    with open(bad, "wb") as f:
        f.write(b"not a maxmind database\n" * 8)
    t.ok(reload(srv, dict(new, geoip_db=bad, default_group="sales",
                          regions=[{"cidr": "127.0.0.9/32", "group": "sales"}])),
         "SIGHUP with a geoip_db that is not a MaxMind DB: handled")
    t.ok("keeping the old routing" in srv.log(), "the error is logged", srv.log()[-600:])
    v9c, h = hello(srv, "127.0.0.9")
    t.eq(queue(adm).get(h["chat"], ("",))[0], "vip", "the running rules stay (127.0.0.9: vip)")
    v13, h = hello(srv, "127.0.0.13")
    t.eq(queue(adm).get(h["chat"], ("",))[0], "later", "and the running default group")
    v12b, h = hello(srv, "127.0.0.12")
    t.eq(queue(adm).get(h["chat"], ("",))[0], "cn", "and the running geoip_db")
    t.ok(srv.alive(), "kefud is alive")
    for c in (v9, v10, va, v9b, v10b, v11, v12, v9c, v13, v12b):
        c.close()


def bot_restart(srv):
    """Two misses, a restart, one miss more: the third hands off (max 3)."""
    v = srv.client()
    final, _ = v.cmd("HELLO group=sales name=Bo :xyzzy plugh")
    f = kv(final or "")
    chat, token = f.get("chat"), f.get("token")
    t.ok(final is not None and final.startswith("OK") and f.get("bot") == "1",
         "a sales visitor gets the bot", final)
    final, _ = v.cmd("SAY :frobozz quux")
    t.ok(final is not None and final.startswith("OK"), "a second question the bot cannot answer", final)
    srv.stop()
    srv.start()
    adm = srv.client(); adm.login("admin")
    t.ok(chat not in queue(adm), "after the restart the chat is still the bot's, in no queue")
    v = srv.client()
    final, _ = v.cmd("HELLO token=%s" % token)
    t.ok(final is not None and kv(final).get("resumed") == "1", "the visitor resumes", final)
    final, _ = v.cmd("SAY :grue lurks")
    t.ok(final is not None and final.startswith("OK"), "a third question it cannot answer", final)
    got = wait_for(lambda: chat in queue(adm), 30)
    t.ok(got, "the third miss hands the chat off (the two before the restart counted)",
         queue(adm))


def main():
    srv = Server({"groups": GROUPS,
                  "routing": {"regions": [{"cidr": "127.0.0.9/32", "group": "tech"}]}})
    try:
        srv.start()
        routing_reload(srv, srv.dir)
        srv.stop()
    finally:
        srv.cleanup()
    srv = Server({"bot": {"max_misses": 3},
                  "groups": [{"name": "sales", "mode": "manual", "bot": "front"},
                             {"name": "tech", "mode": "manual"}]})
    try:
        srv.start()
        bot_restart(srv)
    finally:
        srv.cleanup()
    t.done()


main()
