"""kefud's operator subcommands beside a running server: user add/del/list,
key add/list/del, backup, check-config, unknown subcommands; the running
server applies their changes at once, without a signal (a new account logs
in right away, a deleted one is logged out and stays gone, a changed
password works at once); without -c no empty database is created."""
import os, signal, sqlite3, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap

t = Tap()
srv = Server().start()


try:
    bob = srv.client()
    bob.login("bob")
    r = srv.cli("user", "add", "dave", "agent", "--groups", "sales", "--max", "4",
              stdin="dave1234\n")
    t.eq(r.returncode, 0, "user add with options after NAME ROLE (%s)" % r.stderr.strip())
    r = srv.cli("user", "add", "erin", "agent", stdin="\n")
    t.ok(r.returncode == 1 and "no password" in r.stderr, "user add without a password fails", r.stderr)
    r = srv.cli("user", "add", "bad name", "agent", stdin="secret99\n")
    t.ok(r.returncode == 1 and "bad name" in r.stderr, "user add refuses a bad name", r.stderr)
    r = srv.cli("user", "list")
    t.ok("dave" in r.stdout and "max=4" in r.stdout and "groups=sales" in r.stdout,
         "user list shows the new account", r.stdout)
    d = srv.client()
    t.ok(d.cmd("LOGIN dave :dave1234")[0].startswith("OK"),
         "the new account logs in right away, no SIGHUP")
    r = srv.cli("user", "del", "bob")
    t.eq(r.returncode, 0, "user del bob")
    k = bob.expect_event("KICKED", 30)
    t.ok(k is not None and "deleted" in k, "the deleted account is logged out within seconds", k)
    b = srv.client()
    t.ok(b.cmd("LOGIN bob :bob123")[0].startswith("ERR AUTH"), "the deleted account cannot log in")
    r = srv.cli("user", "disable", "dave")
    t.eq(r.returncode, 0, "user disable dave (%s)" % r.stderr.strip())
    k = d.expect_event("KICKED", 30)
    t.ok(k is not None and "account disabled" in k, "the disabled account is logged out within seconds", k)
    r = srv.cli("user", "list")
    t.ok(any(l.startswith("dave ") and l.endswith(" disabled") for l in r.stdout.splitlines()),
         "user list marks dave disabled", r.stdout)
    d2 = srv.client()
    t.ok(d2.cmd("LOGIN dave :dave1234")[0].startswith("ERR DENIED"), "a disabled account cannot log in")
    r = srv.cli("user", "enable", "dave")
    t.eq(r.returncode, 0, "user enable dave")
    t.ok(d2.cmd("LOGIN dave :dave1234")[0].startswith("OK"), "enabled, dave logs in at once")
    r = srv.cli("user", "disable", "nobody")
    t.ok(r.returncode == 1 and "no such user" in r.stderr, "user disable of an unknown name fails", r.stderr)
    r = srv.cli("user", "passwd", "carol", stdin="carol-cli-1\n")
    t.eq(r.returncode, 0, "user passwd carol")
    c = srv.client(unix=True)
    t.ok(c.cmd("LOGIN carol :carol-cli-1")[0].startswith("OK"), "the new password works at once")
    c2 = srv.client(unix=True)
    t.ok(c2.cmd("LOGIN carol :carol123")[0].startswith("ERR AUTH"), "the old one no longer does")
    srv.proc.send_signal(signal.SIGHUP)
    f, _ = srv.client().cmd("PING")
    t.eq(f, "OK PONG", "SIGHUP still reloads without harm")

    # read-only subcommands without -c: no empty database, say where we looked
    empty = os.path.join(srv.dir, "elsewhere")
    os.mkdir(empty)
    for args in (["user", "list"], ["key", "list", "dave"], ["user", "add", "x", "agent"]):
        r = subprocess.run([srv.binary] + args, cwd=empty, input="secret99\n",
                           capture_output=True, text=True, timeout=30)
        t.ok(r.returncode == 1 and "var/kefu.db" in r.stderr and "-c" in r.stderr,
             "'kefud %s' without -c: exit 1 naming the file it looked for" % " ".join(args), r.stderr)
    t.ok(not os.path.exists(os.path.join(empty, "var")), "and no var/kefu.db was created")

    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBkLQy7ZpW8m4XcT5Xw0F2vQ1tQe0vT2wz9j7pKkQ1 dave@laptop"
    r = srv.cli("key", "add", "dave", key)
    t.ok(r.returncode == 0 and "added key" in r.stdout, "key add", r.stderr)
    r = srv.cli("key", "list", "dave")
    t.ok("ssh-ed25519" in r.stdout and "dave@laptop" in r.stdout, "key list", r.stdout)
    r = srv.cli("key", "add", "dave", "ssh-dss AAAA")
    t.ok(r.returncode == 1 and "unsupported" in r.stderr, "an unsupported key type is refused", r.stderr)
    kid = srv.cli("key", "list", "dave").stdout.split()[0]
    t.eq(srv.cli("key", "del", "dave", kid).returncode, 0, "key del")
    t.eq(srv.cli("key", "del", "dave", kid).returncode, 1, "deleting it again fails")

    dest = os.path.join(srv.dir, "backup.db")
    r = srv.cli("backup", dest)
    t.eq(r.returncode, 0, "backup while the server runs")
    db = sqlite3.connect(dest)
    names = [row[0] for row in db.execute("SELECT name FROM users ORDER BY name")]
    db.close()
    t.ok("dave" in names and "bob" not in names, "the backup holds the accounts", names)

    r = srv.cli("check-config")
    t.ok(r.returncode == 0 and "ok" in r.stdout, "check-config accepts the test config")
    bad = os.path.join(srv.dir, "bad.yml")
    with open(bad, "w") as f:
        f.write("log_level: loud\nlisten:\n  tcp: nowhere\n")
    r = subprocess.run([srv.binary, "-c", bad, "check-config"], capture_output=True, text=True)
    t.ok(r.returncode == 1 and "log_level" in r.stderr and "listen.tcp" in r.stderr,
         "check-config reports a bad log level and address", r.stderr)
    r = srv.cli("frobnicate")
    t.ok(r.returncode == 2 and "unknown subcommand" in r.stderr, "unknown subcommand: exit 2", r.stderr)
    r = srv.cli("--help")
    t.ok(all(("user %s NAME" % v) in r.stdout + r.stderr
             for v in ("passwd", "del", "disable", "enable")),
         "kefud --help names every user subcommand (disable, enable too)", r.stdout + r.stderr)
    for args in (["backup"], ["backup", "a.db", "b.db"]):
        r = srv.cli(*args)
        t.ok(r.returncode == 2 and "usage: kefud backup DEST.db" in r.stderr
             and "unknown subcommand" not in r.stderr,
             "%s: the usage of backup, not 'unknown subcommand'" % " ".join(args), r.stderr)

    srv.stop()
    srv.start()
    b = srv.client()
    t.ok(b.cmd("LOGIN bob :bob123")[0].startswith("ERR AUTH"),
         "a deleted seed account does not come back from the config at restart")
finally:
    srv.cleanup()
t.done()
