"""sshtest.py - shared helpers for the kefud-ssh tests: TAP output, skip
rules, free ports, running the real OpenSSH client, polling with
deadlines, and starting kefud-ssh by hand (standalone tests)."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scenarios"))
from kefutest import child_pids  # noqa: E402

SSH_OPTS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=INFO", "-o", "BatchMode=no", "-o", "ConnectTimeout=10"]


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, diag=None):
        self.n += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.n, desc), flush=True)
        if not cond:
            self.failed += 1
            if diag is not None:
                for line in (str(diag).splitlines() or ["(empty)"])[-15:]:
                    print("#   " + line, flush=True)
        return cond

    def done(self):
        print("1..%d" % self.n, flush=True)
        return 1 if self.failed else 0


def skip_all(reason):
    print("1..0 # SKIP " + reason, flush=True)
    sys.exit(0)


def need_tools(*tools):
    for t in tools:
        if shutil.which(t) is None:
            skip_all("%s is not installed" % t)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(fn, timeout=30.0, step=0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(step)


def idle_conns(port, source, n):
    """n idle TCP connections to 127.0.0.1:port from the loopback address
    source (non-blocking; ones the server refuses at once are left out)."""
    socks = []
    for _ in range(n):
        try:
            s = socket.create_connection(("127.0.0.1", port), 5, source_address=(source, 0))
        except OSError:
            continue
        s.setblocking(False)
        socks.append(s)
    return socks


def closed(s):
    """True once the server has closed non-blocking socket s (EOF or reset);
    what it sent (the SSH banner) is read and dropped."""
    try:
        while True:
            if not s.recv(4096):
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def ssh_cmd(port, user, extra=(), password=None, key=None, command=()):
    cmd = []
    if password is not None:
        cmd = ["sshpass", "-p", password]
    cmd += ["ssh"] + SSH_OPTS + ["-p", str(port)]
    if key is not None:
        cmd += ["-i", key, "-o", "IdentitiesOnly=yes",
                "-o", "PasswordAuthentication=no",
                "-o", "KbdInteractiveAuthentication=no"]
    elif password is not None:
        cmd += ["-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1"]
    cmd += list(extra) + ["%s@127.0.0.1" % user] + list(command)
    return cmd


def run(cmd, stdin_text="", timeout=30):
    try:
        p = subprocess.run(cmd, input=stdin_text.encode(), capture_output=True,
                           timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return -999, (e.stdout or b"").decode(errors="replace"), "timeout"


class TmuxSsh:
    """An ssh command in a detached tmux pane of its own server. The pane
    prints 'before ssh' first and 'SSH-EXIT=<status>' when ssh ends, so a
    test can also see what ssh left on the terminal."""

    def __init__(self, name, ssh_argv, cols=80, rows=24):
        self.tm = ["tmux", "-L", "%s%d" % (name, os.getpid()), "-f", "/dev/null"]
        self.env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")
        cmd = " ".join("'%s'" % a for a in ssh_argv)
        subprocess.run(self.tm + ["new", "-d", "-x", str(cols), "-y", str(rows),
                                  "printf 'before ssh\\n'; %s; echo SSH-EXIT=$?; sleep 30"
                                  % cmd], env=self.env, check=True)

    def tmux(self, *args):
        return subprocess.run(self.tm + list(args), capture_output=True, text=True,
                              env=self.env).stdout

    def screen(self):
        return self.tmux("capture-pane", "-p")

    def pane(self, fmt):
        """A tmux format of the pane, e.g. #{alternate_on}, #{cursor_flag}."""
        return self.tmux("display-message", "-p", fmt).strip()

    def kill(self):
        self.tmux("kill-server")


class Gateway:
    """kefud-ssh started by hand, as a child of the test."""

    def __init__(self, binary, tmp, sock, secret_file, console, port=None, extra=()):
        self.port = port or free_port()
        self.log = os.path.join(tmp, "gw-%d.log" % self.port)
        self.hostkey = os.path.join(tmp, "keys", "host_ed25519")
        self.args = [binary, "--listen", "127.0.0.1:%d" % self.port,
                     "--host-key", self.hostkey, "--socket", sock,
                     "--secret-file", secret_file, "--console", console] + list(extra)
        self.proc = None

    def start(self):
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen(self.args, stdout=self.logf, stderr=self.logf)
        ok = wait_for(lambda: "listening on" in read(self.log) or self.proc.poll() is not None)
        return bool(ok) and self.proc.poll() is None

    def text(self):
        return read(self.log)

    def children(self, zombies=False):
        """pids whose parent is the gateway (its session processes; with
        zombies, also the ended ones it has not reaped yet)."""
        return child_pids(self.proc.pid, zombies=zombies)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.logf.close()
        return self.proc.returncode if self.proc else None
