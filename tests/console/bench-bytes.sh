#!/bin/sh
# bench-bytes.sh - how many bytes kefu writes to the terminal for one
# received chat message, at 80x24. Not a pass/fail test: it reports.
# Run with "make bench-console" (needs tmux, a built kefud and kefu).
# The console runs in tmux; pipe-pane copies every byte kefu writes to a
# file, and we compare its size before and after each visitor message.
: "${KEFUD:?set KEFUD to the kefud binary}" "${KEFU:?set KEFU to the kefu binary}"
: "${top_srcdir:=.}"
command -v tmux >/dev/null 2>&1 || { echo "bench-bytes: tmux not installed"; exit 0; }
LANG=C.UTF-8 LC_ALL=C.UTF-8 exec python3 - "$top_srcdir/tests/console" <<'PY'
import os, sys, time
sys.path.insert(0, sys.argv[1])
import kefuscreen as ks

d = ks.tmpdir()
srv = ks.Server(os.environ["KEFUD"], d)
con = None
try:
    srv.start()
    con = ks.Console("%s --server 127.0.0.1:%d --user alice --no-bell; sleep 60"
                     % (os.environ["KEFU"], srv.port), env={"KEFU_PASSWORD": "alice123"})
    con.wait_text("[online]")
    v = ks.Client(srv.port)
    v.cmd("HELLO name=Visitor group=sales :hello")
    con.wait_text("Queue (1)")
    con.keys("F2")
    con.wait_text("1:Visitor")
    out = os.path.join(d, "tty.out")
    con.tmux(["pipe-pane", "-t", "0", "-o", "cat >> '%s'" % out])
    time.sleep(0.3)
    msgs = {
        "ascii": "Hello, I would like to know where my parcel is, order 12345.",
        "chinese": "您好我的订单还没有到请帮忙查询一下好吗谢",  # 20 x 3 bytes
    }
    for kind, text in msgs.items():
        sizes = []
        for i in range(16):
            before = ks.settle(out)
            if kind == "ascii":
                body = "%s%02d" % (text[:-2], i)
            else:
                body = text[:-1] + "一二三四五六七八九十"[i % 10]
            v.cmd("SAY :" + body)
            con.wait_text(body[-20:])
            sizes.append(ks.settle(out) - before)
        sizes.sort()
        print("bench-bytes: %-7s message of %d bytes: median %d, min %d, max %d bytes "
              "written to the terminal (80x24, %d messages; later ones scroll the transcript)"
              % (kind, len(body.encode()), sizes[len(sizes) // 2], sizes[0], sizes[-1], len(sizes)))
    v.close()
finally:
    if con:
        con.close()
    srv.stop()
    ks.rmtree(d)
PY
