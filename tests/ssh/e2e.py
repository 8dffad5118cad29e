"""e2e.py - the SSH gateway as kefud runs it: a real kefud with ssh.enabled
starts kefud-ssh, and the real OpenSSH client logs in as an agent by
password and by a key added with KEYADD, is refused with a wrong password
or an exec request, speaks the line protocol with -T, gets the kefu console
(in tmux) showing the queue and following a resize, and one ssh client
dying leaves the others working; a disabled account's ssh -T session is
closed at once and ssh refuses it until it is enabled again."""
import os
import re
import select
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from sshtest import (Tap, need_tools, skip_all, ssh_cmd, run, wait_for, free_port,  # noqa: E402
                     TmuxSsh)

FAKE_CONSOLE = "#!/bin/sh\necho FAKECONSOLE; exec cat\n"


def main():
    top = os.environ.get("top_srcdir", os.path.join(HERE, "..", ".."))
    sys.path.insert(0, os.path.join(top, "tests", "scenarios"))
    try:
        import kefutest
    except ImportError:
        skip_all("tests/scenarios/kefutest.py is not there yet")
    kefud = os.environ.get("KEFUD", "")
    gw = os.environ.get("KEFUD_SSH", "")
    if not (os.access(kefud, os.X_OK) and os.access(gw, os.X_OK)):
        skip_all("kefud or kefud-ssh is not built")
    need_tools("ssh", "sshpass", "ssh-keygen")
    kefu = os.environ.get("KEFU", "")
    have_console = bool(kefu) and os.access(kefu, os.X_OK)
    t = Tap()
    port = free_port()
    srv = kefutest.Server(binary=kefud)
    console = kefu
    if not have_console:
        console = os.path.join(srv.dir, "fake-console.sh")
        with open(console, "w") as f:
            f.write(FAKE_CONSOLE)
        os.chmod(console, 0o755)
    srv.config["ssh"] = {
        "enabled": True, "listen": "127.0.0.1:%d" % port,
        "host_key": os.path.join(srv.dir, "ssh", "host_ed25519"),
        "secret_file": os.path.join(srv.dir, "run", "gateway.secret"),
        "console": console, "gateway": gw,
        "max_sessions": 20, "idle_timeout": 600,
    }
    try:
        srv.start()
        ok = wait_for(lambda: "listening on 127.0.0.1:%d" % port in srv.log(), 15)
        t.ok(ok, "kefud starts kefud-ssh on the configured port", srv.log())
        if not ok:
            return t.done()
        t.ok(re.search(r"fingerprint SHA256:\S+", srv.log()) is not None,
             "the host key fingerprint is in kefud's log")
        run_tests(t, srv, port, have_console, kefutest)
    finally:
        srv.cleanup()
    t.done()


def run_tests(t, srv, port, have_console, kefutest):
    pw = kefutest.PASSWORDS
    rc, out, err = run(ssh_cmd(port, "alice", ["-T"], password=pw["alice"]),
                       "PING e2e\nSTATUS\n")
    t.ok(rc == 0 and "OK PONG e2e" in out, "password login with ssh -T gives the protocol",
         "rc=%s out=%s err=%s" % (rc, out, err))
    t.ok(re.search(r"^OK status=\S+", out, re.M) is not None,
         "STATUS answers OK status=... over ssh -T", out)

    rc, out, err = run(ssh_cmd(port, "alice", ["-T"], password="wrong-password"), "PING\n")
    t.ok(rc != 0 and "OK PONG" not in out, "a wrong password is refused", err)
    rc, out, err = run(ssh_cmd(port, "nosuchagent", ["-T"], password="x"), "PING\n")
    t.ok(rc != 0 and "OK PONG" not in out, "an unknown user is refused", err)

    key = os.path.join(srv.dir, "id_alice")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice@test",
                    "-f", key], check=True)
    with open(key + ".pub") as f:
        pub = f.read().strip()
    rc, out, err = run(ssh_cmd(port, "alice", ["-T"], key=key), "PING\n")
    t.ok(rc != 0 and "OK PONG" not in out, "a key not yet added is refused", err)
    admin = srv.client()
    admin.login("admin")
    final, _ = admin.cmd("KEYADD alice :" + pub)
    t.ok(final is not None and final.startswith("OK"), "KEYADD alice works", final)
    rc, out, err = run(ssh_cmd(port, "alice", ["-T"], key=key), "PING key\n")
    t.ok(rc == 0 and "OK PONG key" in out, "key login works after KEYADD",
         "rc=%s out=%s err=%s" % (rc, out, err))
    rc, out, err = run(ssh_cmd(port, "bob", ["-T"], key=key), "PING\n")
    t.ok(rc != 0 and "OK PONG" not in out, "alice's key does not open bob's account", err)

    spoofed_addr(t, srv, pw)

    rc, out, err = run(ssh_cmd(port, "alice", password=pw["alice"], command=["id"]))
    t.ok(rc != 0 and "not offered" in err and out == "",
         "an exec request is refused with a message", "rc=%s err=%s" % (rc, err))

    # two sessions of different agents; killing one ssh client leaves the other
    started = srv.log().count("session started")
    a = subprocess.Popen(ssh_cmd(port, "alice", ["-T"], password=pw["alice"]),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    b = subprocess.Popen(ssh_cmd(port, "bob", ["-T"], password=pw["bob"]),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(lambda: srv.log().count("session started") >= started + 2, 30)
    ended = srv.log().count("session ended")
    a.kill()
    a.wait()
    for f in (a.stdin, a.stdout, a.stderr):
        f.close()
    wait_for(lambda: srv.log().count("session ended") > ended, 30)
    out, err = b.communicate(b"PING still-here\n", timeout=20)
    t.ok(b"OK PONG still-here" in out, "killing one ssh client leaves another session working",
         err)
    final, _ = admin.cmd("PING")
    t.ok(final is not None and final.startswith("OK"), "kefud itself is unaffected", final)

    disabled_session(t, srv, port, pw, admin)
    if have_console:
        console_tests(t, srv, port, pw)
    else:
        print("ok %d # SKIP the kefu console is not built" % (t.n + 1)); t.n += 1


def read_until(p, want, timeout=30):
    """What p printed until want appeared or its output ended (bounded)."""
    out, end = b"", time.time() + timeout
    while want not in out and time.time() < end:
        r, _, _ = select.select([p.stdout], [], [], max(0.05, end - time.time()))
        if not r:
            continue
        d = os.read(p.stdout.fileno(), 4096)
        if not d:
            break
        out += d
    return out


def disabled_session(t, srv, port, pw, admin):
    """USERSET disabled=1 closes an ssh -T session at once; ssh refuses
    the account until it is enabled again."""
    p = subprocess.Popen(ssh_cmd(port, "bob", ["-T"], password=pw["bob"]),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(b"PING up\n")
    p.stdin.flush()
    out = read_until(p, b"OK PONG up")
    t.ok(b"OK PONG up" in out, "bob's ssh -T session is up", out)
    final, _ = admin.cmd("USERSET bob disabled=1")
    t.ok(final == "OK", "admin disables bob", final)
    out = read_until(p, b"\x00never")     # to the end of its output
    try:
        rc = p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    for f in (p.stdin, p.stdout, p.stderr):
        f.close()
    t.ok(b"* KICKED :account disabled" in out and rc is not None,
         "the ssh -T session gets * KICKED :account disabled and ends", out)
    rc, out, err = run(ssh_cmd(port, "bob", ["-T"], password=pw["bob"]), "PING\n")
    t.ok("OK PONG" not in out, "a disabled account cannot log in over ssh",
         "rc=%s out=%s err=%s" % (rc, out, err))
    final, _ = admin.cmd("USERSET bob disabled=0")
    t.ok(final == "OK", "bob enabled again", final)
    rc, out, err = run(ssh_cmd(port, "bob", ["-T"], password=pw["bob"]), "PING back\n")
    t.ok("OK PONG back" in out, "and logs in over ssh again", err)


def spoofed_addr(t, srv, pw):
    """Issue 15 item 3: an SSH user name `addr=local` must not be counted
    against kefud's unix socket (addr "local"): six wrong passwords (one more
    than auth.max_failures) under that name leave LOGIN over the socket open."""
    port = int(srv.config["ssh"]["listen"].rsplit(":", 1)[1])
    procs = [subprocess.Popen(ssh_cmd(port, "addr=local", ["-T"], password="wrong-%d" % i),
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for i in range(6)]
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    t.ok(all(p.returncode != 0 for p in procs), "six logins as 'addr=local' are refused")
    c = srv.client(unix=True)
    final, _ = c.cmd("LOGIN carol :" + pw["carol"])
    t.ok(final is not None and final.startswith("OK"),
         "LOGIN over the unix socket is not throttled by them", final)


def console_tests(t, srv, port, pw):
    import shutil
    if shutil.which("tmux") is None:
        print("ok %d # SKIP tmux is not installed" % (t.n + 1)); t.n += 1
        return
    v = srv.client()
    v.hello("name=SshVisitor group=tech :help from the e2e test")
    tx = TmuxSsh("kefue2e", ssh_cmd(port, "bob", [], password=pw["bob"]), 90, 25)
    screen = tx.screen
    try:
        t.ok(wait_for(lambda: "SshVisitor" in screen(), 15),
             "the console appears through ssh and shows the queue", screen())
        tx.tmux("resize-window", "-x", "120", "-y", "40")
        t.ok(wait_for(lambda: len(screen().splitlines()) >= 40 and
                      any(len(l.rstrip()) > 90 for l in screen().splitlines()), 10),
             "a resize reaches the console (it redraws at 120x40)", screen())
        server_stops(t, srv, tx)
    finally:
        tx.kill()


def server_stops(t, srv, tx):
    """Issue 13: when kefud stops, the SSH user's terminal is restored
    (normal screen, cursor shown, no console left on it), one line says
    why, and ssh ends."""
    t.ok(tx.pane("#{alternate_on}") == "1", "the console runs on the alternate screen")
    srv.stop()
    scr = wait_for(lambda: "SSH-EXIT=" in tx.screen() and tx.screen(), 20)
    t.ok(scr, "ssh ends when kefud stops", tx.screen())
    scr = scr or tx.screen()
    t.ok(tx.pane("#{alternate_on}") == "0", "the alternate screen is left", scr)
    t.ok(tx.pane("#{cursor_flag}") == "1", "the cursor is visible again")
    t.ok("F1Help" not in scr and "Queue" not in scr and "before ssh" in scr,
         "no console debris: the screen from before ssh is back", scr)
    lines = [l.strip() for l in scr.splitlines() if l.strip()]
    why = [l for l in lines if l.startswith("kefud-ssh:")]
    # kefud's * SHUTDOWN and the gateway's own SIGTERM race: either says it
    t.ok(len(why) == 1 and why[0] in ("kefud-ssh: the chat server is shutting down",
                                      "kefud-ssh: the server is shutting down"),
         "one line says why", "\n".join(lines))


if __name__ == "__main__":
    main()
