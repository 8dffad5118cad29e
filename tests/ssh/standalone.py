"""standalone.py - kefud-ssh against a fake kefud (fakekefud.py) and a fake
console, with the real OpenSSH client: host key, password and key logins,
refusals (wrong password, unknown user, exec, subsystem, absurd pty size,
too many attempts, too many sessions), the raw line protocol of -T, the
console on a pty (in tmux, with a resize), isolation of sessions, the
idle timeout and a clean SIGTERM. Needs no real kefud."""
import os
import pty
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import fcntl
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sshtest import (Tap, Gateway, need_tools, skip_all, ssh_cmd, run, wait_for,  # noqa: E402
                     read, idle_conns, closed, TmuxSsh)
from fakekefud import FakeKefud  # noqa: E402

IDLE = 8        # --idle-timeout of the gateway with small limits, seconds

FAKE_CONSOLE = r"""#!/bin/sh
trap 'echo "WINCH $(stty size)"' WINCH
echo "FAKECONSOLE args=$* ticket=${KEFU_TICKET:+set} term=$TERM lang=$LANG size=$(stty size)"
while true; do
  if read -r line; then echo "GOT:$line"; [ "$line" = quit ] && exit 3; fi
done
"""


def main():
    binary = os.environ.get("KEFUD_SSH", "")
    if not binary or not os.access(binary, os.X_OK):
        skip_all("KEFUD_SSH is not built")
    need_tools("ssh", "sshpass", "ssh-keygen")
    t = Tap()
    tmp = tempfile.mkdtemp(prefix="kefud-ssh-test-")
    secret = os.path.join(tmp, "secret")
    with open(secret, "w") as f:
        f.write("  gw-secret-%d\n" % os.getpid())
    os.chmod(secret, 0o600)
    console = os.path.join(tmp, "console.sh")
    with open(console, "w") as f:
        f.write(FAKE_CONSOLE)
    os.chmod(console, 0o755)
    sock = os.path.join(tmp, "kefud.sock")
    fake = FakeKefud(sock, "gw-secret-%d" % os.getpid(),
                     {"alice": "alice-pw", "bob": "bob-pw"}, max_failures=50).start()
    gws = []
    try:
        gw = Gateway(binary, tmp, sock, secret, console)
        gws.append(gw)
        t.ok(gw.start(), "kefud-ssh starts and listens", gw.text())
        run_all(t, tmp, fake, gw, binary, sock, secret, console, gws)
    finally:
        for g in gws:
            g.stop()
        fake.stop()
        if not os.environ.get("KEFUTEST_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
    return t.done()


def run_all(t, tmp, fake, gw, binary, sock, secret, console, gws):
    port = gw.port
    # host key
    st = os.stat(gw.hostkey)
    t.ok(st.st_mode & 0o777 == 0o600, "host key created with mode 0600")
    fp = subprocess.run(["ssh-keygen", "-lf", gw.hostkey], capture_output=True,
                        text=True).stdout.split()
    t.ok(len(fp) > 1 and ("fingerprint " + fp[1]) in gw.text(),
         "SHA256 fingerprint of the host key is logged", gw.text())

    # -T: the raw line protocol, logged in by password
    rc, out, err = run(ssh_cmd(port, "alice", ["-T"], password="alice-pw"),
                       "PING hi\nSTATUS\n")
    t.ok(rc == 0 and "OK PONG hi" in out, "ssh -T with a password speaks the protocol",
         "rc=%s out=%s err=%s" % (rc, out, err))
    t.ok(re.search(r"^OK status=\S+", out, re.M) is not None, "STATUS works over ssh -T", out)
    auth = fake.lines("AUTHPASS")
    t.ok(any(l.startswith("AUTHPASS alice addr=127.0.0.1 :") for l in auth),
         "kefud was asked AUTHPASS with the client's address", auth)
    t.ok(len(fake.lines("MKTICKET alice")) >= 1 and len(fake.lines("TICKET alice ")) >= 1,
         "the raw connection logged in with a ticket from MKTICKET", fake.lines())

    # wrong password, unknown user: refused, logged without the password
    t0 = time.monotonic()
    rc, out, err = run(ssh_cmd(port, "alice", ["-T"], password="not-the-pw-42"))
    t.ok(rc != 0 and "OK" not in out, "a wrong password is refused", err)
    t.ok(time.monotonic() - t0 >= 0.9, "a failed password costs a delay")
    t.ok(wait_for(lambda: "failed login user=alice addr=127.0.0.1" in gw.text(), 30),
         "the failed attempt is logged with user and address", gw.text())
    t.ok("not-the-pw-42" not in gw.text() and "alice-pw" not in gw.text(),
         "no password appears in the log")
    rc, out, err = run(ssh_cmd(port, "mallory", ["-T"], password="x"))
    t.ok(rc != 0 and "OK" not in out, "an unknown user is refused", err)

    bad_user_names(t, fake, gw, port)

    # public key login: the key is listed for alice only
    key = os.path.join(tmp, "id_test")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key],
                   check=True)
    with open(key + ".pub") as f:
        pub = f.read().strip()
    fake.keys["alice"] = [pub]
    before = len(fake.lines("AUTHKEY"))
    rc, out, err = run(ssh_cmd(port, "alice", ["-T"], key=key), "PING k\n")
    t.ok(rc == 0 and "OK PONG k" in out, "public key login works",
         "rc=%s out=%s err=%s" % (rc, out, err))
    keylines = fake.lines("AUTHKEY")[before:]
    t.ok(len(keylines) >= 2 and all(l.startswith("AUTHKEY alice addr=127.0.0.1 :ssh-ed25519 ")
                                    for l in keylines),
         "kefud was asked AUTHKEY for the probe and the signed attempt", keylines)
    rc, out, err = run(ssh_cmd(port, "bob", ["-T"], key=key), "PING k\n")
    t.ok(rc != 0 and "OK PONG" not in out, "a key not listed for the user is refused", err)

    # exec and subsystem requests are refused with a message
    rc, out, err = run(ssh_cmd(port, "alice", password="alice-pw", command=["ls", "/"]))
    t.ok(rc == 1 and "exec requests are not offered" in err and out == "",
         "exec is refused with a message on stderr", "rc=%s err=%s" % (rc, err))
    rc, out, err = run(ssh_cmd(port, "alice", ["-s"], password="alice-pw", command=["sftp"]))
    t.ok(rc != 0 and "subsystem requests are not offered" in err,
         "subsystem requests are refused", "rc=%s err=%s" % (rc, err))
    rc, out, err = run(ssh_cmd(port, "alice", ["-W", "127.0.0.1:1"], password="alice-pw"))
    t.ok(rc != 0, "port forwarding channels are refused", err)

    # an absurd terminal size is refused
    huge_pty(t, port)

    # the console on a pty, in tmux
    console_in_tmux(t, port)

    # one session dying leaves the others alone
    isolation(t, gw, port)

    # too many authentication attempts: five unlisted keys, limit 2
    g2 = Gateway(binary, tmp, sock, secret, console,
                 extra=["--max-auth-tries", "2", "--max-sessions", "1",
                        "--idle-timeout", str(IDLE)])
    gws.append(g2)
    t.ok(g2.start(), "a second gateway with small limits starts", g2.text())
    keys = []
    for i in range(5):
        k = os.path.join(tmp, "other%d" % i)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", k], check=True)
        keys += ["-i", k]
    rc, out, err = run(ssh_cmd(g2.port, "alice", ["-T", "-o", "IdentitiesOnly=yes",
                                                 "-o", "PasswordAuthentication=no"] + keys))
    t.ok(rc != 0 and "too many authentication failures" in err,
         "too many attempts end the connection with a message", err + g2.text())

    # session cap and idle timeout (IDLE is long enough for the second
    # connection's whole handshake to come within it on a busy machine);
    # the refused connection above must have ended and been reaped first,
    # or it still counts as a session
    t.ok(wait_for(lambda: not g2.children(zombies=True), 60),
         "the refused connection's process is gone", g2.children(zombies=True))
    holder = subprocess.Popen(ssh_cmd(g2.port, "alice", ["-T"], password="alice-pw"),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    wait_for(lambda: "session started" in g2.text(), 30)
    rc, out, err = run(ssh_cmd(g2.port, "bob", ["-T"], password="bob-pw"), "PING\n")
    t.ok(rc != 0 and "too many sessions" in err, "a connection over --max-sessions is refused",
         err)
    try:
        holder.wait(timeout=IDLE + 60)     # stdin stays open: only idleness ends it
        herr = holder.stderr.read().decode(errors="replace")
    except subprocess.TimeoutExpired:
        holder.kill()
        holder.wait()
        herr = "still running"
    holder.stdin.close()
    holder.stdout.close()
    holder.stderr.close()
    t.ok("idle for %d seconds" % IDLE in herr, "an idle session is closed after --idle-timeout", herr)

    preauth_limits(t, tmp, binary, sock, secret, console, gws)
    killed_console(t, tmp, binary, sock, secret, gws)

    # SIGTERM: sessions end, the gateway exits 0, no process is left
    keep = subprocess.Popen(ssh_cmd(port, "alice", ["-T"], password="alice-pw"),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    started = gw.text().count("session started")
    wait_for(lambda: gw.text().count("session started") > started, 30)
    kids = gw.children()
    code = gw.stop()
    t.ok(code == 0, "SIGTERM stops the gateway with status 0", code)
    t.ok(wait_for(lambda: not any(os.path.exists("/proc/%d" % p) and
                                  "Z" not in read("/proc/%d/stat" % p).split(")")[-1][:3]
                                  for p in kids), 30),
         "its session processes are gone")
    try:
        keep.wait(timeout=10)
        kerr = keep.stderr.read()
    except subprocess.TimeoutExpired:
        keep.kill()
        keep.wait()
        kerr = b"still running"
    for f in (keep.stdin, keep.stdout, keep.stderr):
        f.close()
    t.ok(b"shutting down" in kerr, "the client is told the server is shutting down", kerr)


def bad_user_names(t, fake, gw, port):
    """Issue 15 item 3: user names outside the account-name characters
    (A-Z a-z 0-9 _ . -, at most 31 bytes) are refused by the gateway and
    never reach kefud, so `addr=...` cannot pose as the client address."""
    before = len(fake.lines())
    bad = ["addr=local", "alice addr=10.9.8.7", "al:ce", "x" * 32]
    results = [run(ssh_cmd(port, u, ["-T"], password="alice-pw"), "PING\n") for u in bad]
    t.ok(all(rc != 0 and "OK PONG" not in out for rc, out, _ in results),
         "user names with '=', spaces, ':' or over 31 bytes are refused",
         [(rc, err) for rc, _, err in results])
    new = fake.lines()[before:]
    t.ok(new == [], "kefud is not asked anything for them", new)
    t.ok(wait_for(lambda: gw.text().count("refused an invalid user name") >= len(bad), 5),
         "each is logged as an invalid user name", gw.text())
    t.ok("user=addr=" not in gw.text(), "no log line shows 'user=addr=...'")
    rc, out, err = run(ssh_cmd(port, "alice", ["-T"], password="alice-pw"), "PING ok\n")
    t.ok(rc == 0 and "OK PONG ok" in out, "a valid name still logs in afterwards", err)
    form = re.compile(r"^AUTH(PASS|KEY) [A-Za-z0-9_.-]{1,31} addr=127\.0\.0\.1 :")
    auth = [l for l in fake.lines() if l.startswith("AUTH")]
    t.ok(auth and all(form.match(l) for l in auth),
         "every AUTHPASS/AUTHKEY is '<verb> <name> addr=<peer> :...'", auth)


def preauth_limits(t, tmp, binary, sock, secret, console, gws):
    """Issue 15 item 4: connections that never log in are capped per source
    address and in all (start:rate:full) and end after --login-grace; logged
    in sessions do not count against either."""
    g = Gateway(binary, tmp, sock, secret, console,
                extra=["--per-source-startups", "3", "--max-startups", "5:30:8",
                       "--login-grace", "3"])
    gws.append(g)
    t.ok(g.start(), "a gateway with --per-source-startups 3 --max-startups 5:30:8 "
         "--login-grace 3 starts", g.text())
    t.ok("login grace 3s, pending logins 5:30:8, 3 per address" in g.text(),
         "it logs its pre-auth limits", g.text())

    flood = idle_conns(g.port, "127.0.0.2", 20)
    t0 = time.monotonic()
    t.ok(wait_for(lambda: sum(closed(s) for s in flood) >= 17, 10),
         "of 20 idle connections from one address, 17 are closed at once",
         "%d closed" % sum(closed(s) for s in flood))
    held = len(g.children())
    t.ok(held <= 3, "at most 3 session processes for them (%d)" % held)
    t.ok("too many connections from this address" in g.text(),
         "the drop is logged", g.text())
    t1 = time.monotonic()
    rc, out, err = run(ssh_cmd(g.port, "alice", ["-T", "-b", "127.0.0.1"], password="alice-pw"),
                       "PING flood\n")
    t.ok(rc == 0 and "OK PONG flood" in out,
         "meanwhile a client from another address logs in (%.2f s)" % (time.monotonic() - t1), err)
    t.ok(wait_for(lambda: all(closed(s) for s in flood), 15),
         "the 3 held ones are closed after the login grace (%.1f s)" % (time.monotonic() - t0))
    t.ok(wait_for(lambda: len(g.children()) == 0, 10), "and their processes are gone",
         g.children())
    for s in flood:
        s.close()

    # spread over many addresses: the total is capped at FULL (8)
    spread = []
    for i in range(12):
        spread += idle_conns(g.port, "127.0.0.%d" % (10 + i), 1)
    wait_for(lambda: sum(closed(s) for s in spread) >= 4, 10)
    held = len(g.children())
    t.ok(held <= 8, "12 idle connections from 12 addresses hold at most 8 "
         "processes (%d)" % held)
    t.ok(wait_for(lambda: all(closed(s) for s in spread), 15) and
         wait_for(lambda: len(g.children()) == 0, 10),
         "they too are closed after the login grace")
    for s in spread:
        s.close()

    # logged-in sessions are no pending logins: 4 from one address, cap 3
    t_keep = time.monotonic()
    keep = [subprocess.Popen(ssh_cmd(g.port, "alice", ["-T"], password="alice-pw"),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE) for _ in range(3)]
    started = wait_for(lambda: g.text().count("session started") >= 4, 15)
    rc, out, err = run(ssh_cmd(g.port, "alice", ["-T"], password="alice-pw"), "PING fourth\n")
    t.ok(started and rc == 0 and "OK PONG fourth" in out,
         "3 logged-in sessions from one address leave room for a 4th login", err)
    # that nothing ends them can only be seen by waiting past grace + margin
    # (3 + 5 s: the listener's own kill of late logins)
    while time.monotonic() < t_keep + 9 and all(p.poll() is None for p in keep):
        time.sleep(0.2)
    alive = all(p.poll() is None for p in keep)
    for p in keep:
        p.stdin.close()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        p.stdout.close()
        p.stderr.close()
    t.ok(alive, "logged-in sessions outlive the login grace and its margin")


# a console that takes the alternate screen, hides the cursor and ignores
# SIGHUP, so the gateway has to kill it (it cannot give the terminal back)
STUBBORN_CONSOLE = r"""#!/bin/sh
trap '' HUP
printf '\033[?1049h\033[?25lSTUBBORN-UI\n'
while :; do sleep 1; done
"""


def killed_console(t, tmp, binary, sock, secret, gws):
    """Issue 13: when the session ends under a console that had to be
    killed, the gateway itself restores the terminal (normal screen, cursor)
    and prints one line saying why."""
    if shutil.which("tmux") is None:
        print("ok %d # SKIP tmux is not installed" % (t.n + 1)); t.n += 1
        return
    console = os.path.join(tmp, "stubborn.sh")
    with open(console, "w") as f:
        f.write(STUBBORN_CONSOLE)
    os.chmod(console, 0o755)
    g = Gateway(binary, tmp, sock, secret, console)
    gws.append(g)
    t.ok(g.start(), "a gateway with a console that ignores SIGHUP starts", g.text())
    tx = TmuxSsh("kefusshstub", ssh_cmd(g.port, "alice", [], password="alice-pw"))
    try:
        t.ok(wait_for(lambda: "STUBBORN-UI" in tx.screen(), 10) and
             tx.pane("#{alternate_on}") == "1" and tx.pane("#{cursor_flag}") == "0",
             "the console is on the alternate screen with the cursor hidden", tx.screen())
        g.proc.send_signal(signal.SIGTERM)
        scr = wait_for(lambda: "SSH-EXIT=" in tx.screen() and tx.screen(), 15) or tx.screen()
        t.ok(tx.pane("#{alternate_on}") == "0" and tx.pane("#{cursor_flag}") == "1",
             "after the gateway stops, the normal screen and the cursor are back", scr)
        lines = [l.strip() for l in scr.splitlines() if l.strip()]
        t.ok("before ssh" in lines and "STUBBORN-UI" not in scr and
             [l for l in lines if l.startswith("kefud-ssh:")] ==
             ["kefud-ssh: the server is shutting down"],
             "no debris, and one line says why", "\n".join(lines))
    finally:
        tx.kill()


def huge_pty(t, port):
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp("sshpass", ssh_cmd(port, "alice", ["-tt"], password="alice-pw"))
        finally:
            os._exit(127)
    # the child's terminal claims 5000 columns before ssh reads it
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 5000, 0, 0))
    buf = b""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and b"PTY allocation request failed" not in buf:
        try:
            import select
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                buf += os.read(fd, 4096)
        except OSError:
            break
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
    t.ok(b"PTY allocation request failed" in buf, "a pty of 5000 columns is refused", buf)


def console_in_tmux(t, port):
    if shutil.which("tmux") is None:
        print("ok %d # SKIP tmux is not installed" % (t.n + 1)); t.n += 1
        return
    tx = TmuxSsh("kefusshtest", ssh_cmd(port, "alice", [], password="alice-pw"), 90, 25)
    screen = tx.screen
    try:
        ok = wait_for(lambda: "FAKECONSOLE" in screen(), 10)
        s = screen()
        t.ok(ok and "--socket" in s and "--user alice" in s and "ticket=set" in s,
             "the console runs on a pty with --socket, --user and KEFU_TICKET", s)
        t.ok("size=25 90" in s and "lang=C.UTF-8" in s and "term=" in s,
             "the pty has the client's size, TERM and LANG=C.UTF-8", s)
        tx.tmux("resize-window", "-x", "120", "-y", "40")
        t.ok(wait_for(lambda: "WINCH 40 120" in screen(), 10),
             "a window change reaches the console as SIGWINCH", screen())
        tx.tmux("send-keys", "hello console", "Enter")
        t.ok(wait_for(lambda: "GOT:hello console" in screen(), 10),
             "keys typed in ssh reach the console", screen())
    finally:
        tx.kill()


def isolation(t, gw, port):
    procs = []
    for _ in range(2):
        p = subprocess.Popen(ssh_cmd(port, "alice", ["-T"], password="alice-pw"),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        procs.append(p)
    wait_for(lambda: len(gw.children()) >= 2, 10)
    before = set(gw.children())
    procs[0].kill()
    procs[0].wait()
    t.ok(wait_for(lambda: len(set(gw.children()) & before) == len(before) - 1, 10),
         "killing one ssh client ends only its session process",
         "%s -> %s" % (before, gw.children()))
    out, err = procs[1].communicate(b"PING still\n", timeout=15)
    t.ok(b"OK PONG still" in out, "the other session still works", err)


if __name__ == "__main__":
    sys.exit(main())
