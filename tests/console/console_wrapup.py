"""console_wrapup.py - the wrap-up form offers the categories the server
configures (issue 13): the chat's group's own list, else the desk's
default; no fixed list in the console. Up/Down chooses one, Enter stores
it. Every wait is a bounded poll of the screen or of a socket.
"""

import sys

import kefuscreen as ks

T, ok = ks.tap()


def wrapup(kefud, kefu, cols, rows):
    tag = "%dx%d wrapup:" % (cols, rows)
    d = ks.tmpdir()
    srv = ks.Server(kefud, d)
    with open(srv.config_path) as f:
        cfg = f.read()
    cfg = cfg.replace("    description: Tech support\n",
                      "    description: Tech support\n"
                      "    wrapup_categories: \"printer, network, 重装系统\"\n")
    cfg += "wrapup:\n  categories: \"咨询, 退款, other\"\n"
    with open(srv.config_path, "w") as f:
        f.write(cfg)
    con, clients = None, []
    try:
        srv.start()
        con = ks.Console.agent(kefu, srv.port, cols=cols, rows=rows)
        for group, want, pick, absent in (("tech", ("printer", "network", "重装系统"), "network", "咨询"),
                                          ("sales", ("咨询", "退款", "other"), "退款", "printer")):
            v = ks.Client(srv.port); clients.append(v)
            final, _ = v.cmd("HELLO name=Ann group=%s :hi" % group)
            chat = final.split("chat=")[1].split()[0]
            con.wait(lambda s: "Queue (1)" in s)
            con.keys("F2")
            con.wait_text("1:Ann")
            con.keys("F7")
            con.wait_text("End the chat with Ann?")
            con.keys("y")
            con.wait_text("(ended)")
            con.keys("F7")
            scr = con.wait(lambda s: "Category:" in s and want[0] in s)
            ok(scr is not None and all(w in scr for w in want) and absent not in scr
               and "complaint" not in scr,
               tag + " %s: the form lists the server's categories for %s" % (group, group), con.screen())
            ok(ks.fits(scr or "", cols, rows), tag + " %s: it fits" % group, scr)
            for _ in range(want.index(pick)):
                con.keys("Down")
            con.keys("Enter")
            ok(con.wait(lambda s: "1:Ann" not in s) is not None,
               tag + " %s: Enter wraps up" % group, con.screen())
            adm = ks.Client(srv.port); clients.append(adm)
            adm.cmd("LOGIN admin :admin123")
            vid = final.split("visitor=")[1].split()[0]
            _, hist = adm.cmd("HISTORY " + vid)
            row = [h for h in hist if h.startswith("+ " + chat + " ")]
            ok(row and ("category=" + pick) in row[0],
               tag + " %s: the chosen category %s is stored" % (group, pick), str(hist))
    finally:
        if con:
            con.close()
        for c in clients:
            c.close()
        srv.stop()
        ks.rmtree(d)


def main():
    kefud, kefu = ks.binaries()
    for cols, rows in ((80, 24), (100, 30)):
        wrapup(kefud, kefu, cols, rows)
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
