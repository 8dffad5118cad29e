"""console_hangup.py - the console leaves when its terminal goes away.

An agent's terminal can vanish under the console: the SSH channel closes,
tmux is killed, a terminal emulator is closed. When no SIGHUP arrives
(the terminal was not the controlling one, or the signal was lost), the
console's stdin reports a hang-up on every poll. The console must notice
and exit instead of spinning on it for ever (orphaned consoles were seen
burning a core each).

The console runs on a pty that is not its controlling terminal, so
closing the master sends no signal: only the hang-up on stdin tells.
"""
import os
import pty
import select
import subprocess
import sys
import time

import kefuscreen as ks

T, ok = ks.tap()


def read_until(fd, needle, timeout):
    """Read the pty until needle shows up; True if it did."""
    buf = b""
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], max(0.05, end - time.time()))
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        buf += data
        if needle in buf:
            return True
    return False


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    kefud, kefu = ks.binaries()
    d = ks.tmpdir()
    srv = ks.Server(kefud, d)
    proc = None
    try:
        srv.start()
        master, slave = pty.openpty()
        os.set_blocking(master, False)
        env = dict(os.environ, KEFU_PASSWORD="alice123", TERM="xterm",
                   LANG="C.UTF-8", LC_ALL="C.UTF-8", COLUMNS="80", LINES="24")
        proc = subprocess.Popen(
            [kefu, "--server", "127.0.0.1:%d" % srv.port, "--user", "alice",
             "--no-bell"], stdin=slave, stdout=slave, stderr=slave, env=env,
            start_new_session=True)	# no controlling terminal: no SIGHUP
        os.close(slave)
        ok(read_until(master, b"online", 30),
           "console logs in and draws on the pty")
        os.close(master)	# the terminal is gone
        try:
            proc.wait(15)
            exited = True
        except subprocess.TimeoutExpired:
            exited = False
        ok(exited, "console exits within 15 s of its terminal hanging up")
        if not exited:
            before = cpu_seconds(proc.pid)
            time.sleep(1)
            T.ok(False, "(it used %.2f s of CPU in the next second)"
                 % (cpu_seconds(proc.pid) - before))
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        srv.stop()
        ks.rmtree(d)
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
