"""Wrap-up categories from the server (issue 13): a list per group
(groups[].wrapup_categories) or the desk's default (wrapup.categories,
with a built-in default), sent as wrapup= in GROUPS rows; a SIGHUP
changes them; a malformed list is refused with its line. WRAPUP itself
still takes any category."""
import os, signal, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap, kv

t = Tap()


def groups(client):
    final, rows = client.cmd("GROUPS")
    return {r.split()[0]: kv(r).get("wrapup") for r in rows}


# the built-in default, when the configuration names none
srv = Server().start()
try:
    a = srv.client(); a.login("alice")
    g = groups(a)
    t.eq(g.get("sales"), "general, sales, support, billing, shipping, complaint, spam",
         "without configuration every group offers the built-in list")
finally:
    srv.cleanup()

srv = Server({"wrapup": {"categories": "咨询, 退款, other"},
              "groups": [{"name": "sales", "mode": "manual"},
                         {"name": "tech", "mode": "manual",
                          "wrapup_categories": "printer, network, 重装 系统"}]}).start()
try:
    a = srv.client(); a.login("alice")
    g = groups(a)
    t.eq(g.get("tech"), "printer, network, 重装 系统", "tech has its own list (spaces kept)")
    t.eq(g.get("sales"), "咨询, 退款, other", "sales has the desk's default list")

    n = srv.log().count("configuration reloaded")
    srv.config["groups"][1]["wrapup_categories"] = "printer, scanner"
    srv.write_config()
    srv.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 15
    while time.time() < deadline and srv.log().count("configuration reloaded") <= n:
        time.sleep(0.05)
    t.eq(groups(a).get("tech"), "printer, scanner", "a SIGHUP changes a group's list")

    v = srv.client(); chat = v.hello("name=Ann group=tech :hi")["chat"]
    a.ok("ACCEPT " + chat)
    final, _ = a.cmd("WRAPUP %s one-off :not in the list" % chat)
    t.eq(final, "OK", "WRAPUP still takes a category that is not in the list")

    for what, val in (("an empty item", "a,,b"), ("an item over 64 bytes", "x" * 65),
                      ("33 items", ",".join("c%d" % i for i in range(33))),
                      ("nothing", "")):
        bad = os.path.join(srv.dir, "bad.yml")
        with open(bad, "w") as fh:
            fh.write("groups:\n  - name: x\n    wrapup_categories: \"%s\"\n" % val)
        p = subprocess.run([srv.binary, "-c", bad, "check-config"], capture_output=True, text=True)
        t.ok(p.returncode != 0 and "line 3" in p.stderr and "wrapup_categories" in p.stderr,
             "check-config refuses a list with %s" % what, p.stderr)
    bad = os.path.join(srv.dir, "bad.yml")
    with open(bad, "w") as fh:
        fh.write("wrapup:\n  categories: \"a,\"\n")
    p = subprocess.run([srv.binary, "-c", bad, "check-config"], capture_output=True, text=True)
    t.ok(p.returncode != 0 and "wrapup.categories" in p.stderr,
         "check-config refuses wrapup.categories with a trailing comma", p.stderr)
    with open(bad, "w") as fh:
        fh.write("wrapup:\n  categories: \"a, b\"\n")
    p = subprocess.run([srv.binary, "-c", bad, "check-config"], capture_output=True, text=True)
    t.ok(p.returncode == 0, "and takes a good one", p.stderr)
    t.ok(srv.alive(), "kefud is still running")
finally:
    srv.cleanup()
t.done()
