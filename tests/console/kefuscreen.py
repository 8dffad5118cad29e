"""kefuscreen - helpers for the console tests: a real kefud on a temp
directory and a free port, visitors speaking the line protocol, and the
kefu console running inside a private tmux server whose screen we read.

Standard library only. Every wait is a bounded poll loop.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time

CONFIG = """listen:
  tcp: "127.0.0.1:{port}"
  unix: "{dir}/kefud.sock"
  http: ""
database: "{dir}/kefu.db"
log_level: info
routing:
  answer_timeout: 0
visitor:
  resume_timeout: 600
groups:
  - name: sales
    mode: manual
    description: Sales
  - name: tech
    mode: manual
    description: Tech support
users:
  - name: admin
    role: admin
    password: admin123
  - name: alice
    role: agent
    password: alice123
    groups: sales,tech
    display: Alice
  - name: bob
    role: agent
    password: bob123
    groups: sales,tech
    display: Bob
quick_replies:
  - title: greet
    text: 您好，请问有什么可以帮您？
  - title: order
    text: 请提供您的订单号，我们马上查询。
  - title: bye
    text: Thanks for contacting us, have a nice day!
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, kefud, tmpdir):
        self.kefud = kefud
        self.dir = tmpdir
        self.port = free_port()
        self.sock = os.path.join(tmpdir, "kefud.sock")
        self.config_path = os.path.join(tmpdir, "kefu.yml")
        with open(self.config_path, "w") as f:
            f.write(CONFIG.format(port=self.port, dir=tmpdir))
        self.proc = None

    def start(self, timeout=60):
        log = open(os.path.join(self.dir, "kefud.log"), "a")
        self.proc = subprocess.Popen([self.kefud, "-c", self.config_path],
                                     stdout=log, stderr=log)
        log.close()
        end = time.time() + timeout
        while time.time() < end:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("kefud exited at start")
                time.sleep(0.05)
        raise RuntimeError("kefud did not start")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Client:
    """A protocol client (visitor or agent) with a line reader."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), 5)
        self.buf = b""
        self.events = []

    def send(self, line):
        self.s.sendall(line.encode() + b"\n")

    def readline(self, timeout=20):
        end = time.time() + timeout
        while b"\n" not in self.buf:
            left = end - time.time()
            if left <= 0:
                raise TimeoutError("no line from server")
            self.s.settimeout(left)
            data = self.s.recv(65536)
            if not data:
                raise EOFError("server closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def cmd(self, line, timeout=20):
        """Send a request; return (final line, rows). Events are kept."""
        self.send("@c " + line)
        rows = []
        while True:
            got = self.readline(timeout)
            if got.startswith("* "):
                self.events.append(got)
            elif got.startswith("@c + "):
                rows.append(got[3:])
            elif got.startswith("@c "):
                return got[3:], rows

    def expect_event(self, prefix, timeout=20):
        end = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.startswith(prefix):
                    return self.events.pop(i)
            got = self.readline(max(0.01, end - time.time()))
            if got.startswith("* "):
                self.events.append(got)

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


class Console:
    """kefu running in a private tmux server."""

    def __init__(self, cmd, cols=80, rows=24, env=None):
        self.name = "kefutest%d" % os.getpid()
        self.env = dict(os.environ)
        self.env.update({"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
        self.env.pop("TMUX", None)
        if env:
            self.env.update(env)
        self.tmux(["new-session", "-d", "-x", str(cols), "-y", str(rows),
                   cmd], first=True)

    def tmux(self, args, first=False):
        base = ["tmux", "-L", self.name]
        if first:
            base += ["-f", "/dev/null"]
        return subprocess.run(base + args, env=self.env, check=False,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=60).stdout.decode("utf-8", "replace")

    def keys(self, *keys):
        self.tmux(["send-keys", "-t", "0"] + list(keys))

    def type(self, text):
        self.tmux(["send-keys", "-t", "0", "-l", text])

    def screen(self):
        return self.tmux(["capture-pane", "-p", "-t", "0"])

    def wait(self, pred, timeout=30):
        """Poll the screen until pred(screen) is true; return the screen."""
        end = time.time() + timeout
        scr = ""
        while time.time() < end:
            scr = self.screen()
            if pred(scr):
                return scr
            time.sleep(0.05)
        return None

    def wait_text(self, text, timeout=30):
        return self.wait(lambda s: text in s, timeout)

    def resize(self, cols, rows):
        self.tmux(["resize-window", "-t", "0", "-x", str(cols), "-y", str(rows)])

    def close(self):
        self.tmux(["kill-server"])


def tmpdir():
    return tempfile.mkdtemp(prefix="kefu-console-")


def rmtree(d):
    shutil.rmtree(d, ignore_errors=True)
