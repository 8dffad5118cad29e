#!/bin/sh
# demo.sh - build kefu and start kefud with the demo configuration
# (embedded SQLite in var/, demo accounts, two skill groups, quick replies,
# SSH on 127.0.0.1:2222, the web widget's demo page on 127.0.0.1:7780).
# Ctrl-C stops it.
set -e
cd "$(dirname "$0")/.."
sh scripts/deps.sh
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q
make -s -j"$(nproc)" >/dev/null
cd ..
mkdir -p var run
cat <<MSG
kefud is starting with the demo desk (database var/kefu-demo.db).

  agent console:   build/tui/kefu --server 127.0.0.1:7707 --user alice   (password alice123)
  over SSH:        ssh -p 2222 alice@127.0.0.1                           (password alice123)
  a web visitor:   http://127.0.0.1:7780/demo.html   (the chat button, bottom right)
  a visitor (nc):  nc 127.0.0.1 7707
                   HELLO name=张三 group=sales :我的订单还没有到
  an agent (nc):   nc 127.0.0.1 7707
                   LOGIN alice :alice123
                   QUEUE | ACCEPT | MSG <chat> :text | END <chat> | WRAPUP <chat> <category> :summary
  accounts:        admin/admin123 (admin), alice/alice123 and bob/bob123 (agents),
                   carol/carol123 (supervisor); groups: sales (auto), tech (manual)
  protocol:        proto/PROTOCOL.md, or type HELP

MSG
exec build/server/kefud -c etc/kefu-demo.yml
