"""Reports end to end: REPORT over the protocol (who may, its arguments,
its rows, the reply-size bound), the facts a live desk records for it (a
transfer, a visitor leaving the queue, rating, wrap-up, the status-change
log written on login, STATUS, logout, shutdown and after a crash), and
`kefud report` giving the same figures as a table, CSV and JSON without
ever creating a database. The figures themselves are checked against a
hand-computed fixture in tests/server/test_report.c."""
import csv, io, json, os, sqlite3, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv

os.environ["TZ"] = "UTC"	# kefud and the report CLI count days in UTC
t = Tap()
srv = Server(extra={"limits": {"outbuf_max": 65536}}).start()


def statuses(name):
    db = sqlite3.connect("file:%s?mode=ro" % srv.db, uri=True)
    try:
        return [r[0] for r in db.execute(
            "SELECT status FROM agent_status_log WHERE agent=? ORDER BY id",
            (name,))]
    finally:
        db.close()


day = 86400
now = time.time()
FROM = time.strftime("%Y-%m-%d", time.gmtime(now - day))
TO = time.strftime("%Y-%m-%d", time.gmtime(now + day))
PERIOD = "from=%s to=%s" % (FROM, TO)

try:
    a = srv.client(); a.login("alice")
    sup = srv.client(); sup.login("carol")
    adm = srv.client(); adm.login("admin")

    # -- a served, rated, wrapped-up chat
    v1 = srv.client(); c1 = v1.hello("name=V1 group=tech :order")["chat"]
    a.ok("ACCEPT " + c1)
    a.ok("MSG %s :looking" % c1)
    v1.ok("END"); v1.ok("RATE 5 :great")
    a.ok("WRAPUP %s billing :refund sent" % c1)
    # -- a visitor who leaves the queue
    v2 = srv.client(); v2.hello("name=V2 group=tech :anyone?")
    v2.ok("END")
    # -- a chat transferred to carol, never answered
    v3 = srv.client(); c3 = v3.hello("name=V3 group=tech :help")["chat"]
    a.ok("ACCEPT " + c3)
    a.ok("TRANSFER %s agent carol :yours" % c3)
    v3.ok("END")
    a.ok("STATUS away")
    a.ok("STATUS online")

    # -- who may
    for who, c in (("visitor", v1), ("agent", a)):
        final, _ = c.cmd("REPORT " + PERIOD)
        t.ok(final is not None and final.startswith("ERR DENIED"),
             "%s: REPORT -> ERR DENIED" % who, final)
    final, rows = sup.cmd("REPORT " + PERIOD)
    t.eq(final, "OK %d" % len(rows), "a supervisor may REPORT")
    final2, rows2 = adm.cmd("REPORT " + PERIOD)
    t.eq((final2, rows2), (final, rows), "an admin gets the same report")

    # -- the figures of the live desk
    total = kv([r for r in rows if r.startswith("total ")][0])
    t.eq({k: total.get(k) for k in ("offered", "answered", "missed",
          "transferred", "rated", "rating_avg", "r5", "r1")},
         {"offered": "3", "answered": "1", "missed": "1", "transferred": "1",
          "rated": "1", "rating_avg": "5.00", "r5": "1", "r1": "0"},
         "total: 3 offered, 1 answered, 1 missed, 1 transferred, one 5-star rating")
    t.ok(all(total.get(k, "").isdigit() for k in ("wait_p50", "wait_p90", "frt_p50",
                                                "dur_p50", "dur_p90"))
         and total.get("frt_p90") == total.get("frt_p50"),
         "two chats were assigned, both ended; one first response", rows)
    t.eq([r for r in rows if r.startswith("category=")], ["category=billing chats=1"],
         "the wrap-up category row")
    t.ok(rows[-2].startswith("total ") and "online=" not in rows[-2],
         "without by: the total, then the categories; no status times", rows)

    final, rows = sup.cmd("REPORT %s by=agent" % PERIOD)
    ag = {r.split()[0]: kv(r) for r in rows}
    t.ok(ag.get("agent=alice", {}).get("offered") == "1" and
         ag.get("agent=carol", {}).get("offered") == "1" and
         ag["agent=carol"].get("transferred") == "1",
         "by=agent: the chat counts for its last owner", rows)
    t.ok(ag["agent=alice"].get("online", "").isdigit() and
         ag["agent=alice"].get("away", "").isdigit() and
         "busy" in ag.get("total", {}), "by=agent rows have online/away/busy seconds", rows)
    final, rows = sup.cmd("REPORT %s by=group group=tech" % PERIOD)
    t.ok(final == "OK 3" and rows[0].startswith("group=tech offered=3 "),
         "by=group group=tech: one group, the total, one category", rows)
    final, rows = sup.cmd("REPORT %s group=sales" % PERIOD)
    t.ok(final == "OK 1" and rows[0].startswith("total offered=0 ") and
         "wait_avg=- " in rows[0], "an empty selection: zeros and '-'", rows)
    final, rows = sup.cmd("REPORT %s by=day" % PERIOD)
    t.ok(final == "OK 5" and [r.split()[0] for r in rows[:3]] ==
         ["day=" + time.strftime("%Y-%m-%d", time.gmtime(now + d * day)) for d in (-1, 0, 1)],
         "by=day: every day of the period, in order", rows)
    final, rows = sup.cmd("REPORT %s by=hour agent=alice" % PERIOD)
    t.ok(final == "OK 26" and rows[0].startswith("hour=00 ") and rows[23].startswith("hour=23 "),
         "by=hour: 24 rows, the total, a category", final)

    # -- the status log: login online, away, online
    t.eq(statuses("alice"), ["online", "away", "online"],
         "alice's status log: login, STATUS away, STATUS online")

    # -- bad arguments and the bound on the reply
    for args, want in (("from=2026-01-01", "ERR ARGS"),
                       ("from=2026-02-30 to=2026-03-01", "ERR ARGS dates"),
                       ("from=2026-03-02 to=2026-03-01", "ERR ARGS the period ends"),
                       ("from=2026-01-01 to=2027-01-02", "ERR ARGS a period is at most 366"),
                       ("%s by=week" % PERIOD, "ERR ARGS by is"),
                       ("%s color=red" % PERIOD, "ERR ARGS unknown or repeated"),
                       ("%s by=day by=hour" % PERIOD, "ERR ARGS unknown or repeated"),
                       ("%s extra" % PERIOD, "ERR ARGS unknown or repeated"),
                       ("from=2026-01-01 to=2026-12-31 by=day", "ERR LIMIT")):
        final, rows = sup.cmd("REPORT " + args)
        t.ok(final is not None and final.startswith(want) and rows == [],
             "REPORT %s -> %s" % (args, want), final)
    final, rows = sup.cmd("REPORT from=2026-01-01 to=2026-02-28 by=day")
    t.eq(final, "OK 60", "59 days and the total fit in limits.outbuf_max=65536")

    # -- kefud report: the same figures, three formats
    final, rows = sup.cmd("REPORT %s by=agent" % PERIOD)
    wire = {r.split()[0]: kv(r) for r in rows}
    r = srv.cli("report", "--from", FROM, "--to", TO, "--by", "agent", "--format", "json")
    t.eq(r.returncode, 0, "kefud report --format json beside the running server (%s)" % r.stderr.strip())
    j = json.loads(r.stdout)
    t.ok(j["by"] == "agent" and j["from"] == FROM and [x["agent"] for x in j["rows"] if x["agent"] != "admin"][:1] == ["alice"],
         "json: by, period, rows", r.stdout)
    t.ok(all(str(j["total"][k]) == wire["total"][k] for k in
             ("offered", "answered", "missed", "transferred", "rated", "r5")) and
         j["categories"] == [{"category": "billing", "chats": 1}],
         "json: the same total and categories as REPORT", r.stdout)
    r = srv.cli("report", "--from", FROM, "--to", TO, "--by", "agent", "--format", "csv")
    recs = list(csv.DictReader(io.StringIO(r.stdout)))
    tot = [x for x in recs if x["kind"] == "total"][0]
    # admin is logged in too: a row of its own once a second of its
    # presence has passed, which a busy machine may or may not reach
    t.ok(r.returncode == 0 and
         [x["key"] for x in recs if x["key"] != "admin"] == ["alice", "carol", "", "billing"] and
         all(tot[k] == wire["total"][k] for k in ("offered", "missed", "transferred")) and
         recs[-1]["chats"] == "1" and [x for x in recs if x["key"] == "alice"][0]["frt_avg"] != "",
         "csv: one table, kind,key,...,chats; same figures", r.stdout)
    r = srv.cli("report", "--from", FROM, "--to", TO)
    lines = r.stdout.splitlines()
    t.ok(r.returncode == 0 and lines[0].split()[:3] == ["row", "offered", "answered"] and
         lines[1].split()[:5] == ["total", "3", "1", "1", "1"] and
         lines[-1].split() == ["billing", "1"], "table: headings, total, categories", r.stdout)
    r, left = srv.cli_missing_db("report", "--from", FROM, "--to", TO)
    t.ok(r.returncode == 1 and "no database" in r.stderr and not left,
         "report on a missing database fails and creates nothing", r.stderr)
    for bad in (["--from", FROM], ["--from", FROM, "--to", TO, "--format", "xml"],
                ["--from", FROM, "--to", TO, "--by", "week"],
                ["--from", "yesterday", "--to", TO]):
        r = srv.cli("report", *bad)
        t.ok(r.returncode == 2 and r.stdout == "", "kefud report %s -> exit 2" % " ".join(bad),
             r.stderr)

    # -- shutdown closes intervals; a crash's are closed at the next start
    a.ok("STATUS busy")
    t.eq(srv.stop(), 0, "kefud stops")
    t.eq(statuses("alice")[-2:], ["busy", "offline"], "a clean shutdown logs alice offline")
    before = sorted(os.listdir(srv.dir))
    r = srv.cli("report", "--from", FROM, "--to", TO, "--format", "csv")
    t.ok(r.returncode == 0 and "total,,3,1,1,1" in r.stdout,
         "kefud report on the stopped server's database", r.stdout + r.stderr)
    t.eq(sorted(os.listdir(srv.dir)), before, "and it leaves no file behind (-wal, -shm)")
    srv.start()
    a = srv.client(); a.login("alice")
    t.eq(statuses("alice")[-1], "online", "logged in again")
    srv.kill9()
    srv.start()
    t.eq(statuses("alice")[-2:], ["online", "offline"],
         "after kill -9, start-up logs alice offline")
    db = sqlite3.connect("file:%s?mode=ro" % srv.db, uri=True)
    last_two = db.execute("SELECT ts FROM agent_status_log WHERE agent='alice' "
                          "ORDER BY id DESC LIMIT 2").fetchall()
    db.close()
    t.eq(last_two[0][0], last_two[1][0],
         "at the last stored activity (the login), not at the restart")
finally:
    srv.cleanup()
t.done()
