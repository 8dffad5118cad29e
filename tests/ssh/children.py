"""children.py - no process kefud starts outlives it: the SSH gateway, its
session processes, the password worker and the checkpointer are gone soon
after kefud ends, however it ends.

- kefud killed (-9) while the gateway it just forked has not run kefud-ssh
  yet (a wrapper holds it at a gate, as a loaded machine can): the gateway
  must not start afterwards with nobody to stop it.
- The stop of the demo: kefud and its kefud-ssh are sent SIGTERM together
  while a chat is open; kefud drains, restarts the gateway it saw die, and
  when the chat ends stops that one too.
- kefud killed (-9) with the gateway running.

The test process is a child subreaper (prctl), so whatever kefud leaves
behind becomes its child and is seen. Every wait is a bounded poll."""
import ctypes
import os
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scenarios"))
from kefutest import Server, Tap, free_port, processes, wait_for  # noqa: E402

PR_SET_CHILD_SUBREAPER = 36
GATE = """#!/bin/sh
: > "{dir}/gate-reached"
while [ ! -e "{dir}/gate-open" ]; do sleep 0.05; done
exec "{real}" "$@"
"""


def left_behind(keep):
    """Live processes below this one (not zombies), but for the pids in
    keep: [(pid, command line)]."""
    kids = {}
    for pid, ppid, state, cmd in processes():
        kids.setdefault(ppid, []).append(
            (pid, state, b" ".join(cmd).decode(errors="replace")[:100]))
    out, todo = [], [os.getpid()]
    while todo:
        for pid, state, cmd in kids.get(todo.pop(), []):
            todo.append(pid)
            if state != "Z" and pid not in keep:
                out.append((pid, cmd))
    return out


def finish(srv):
    """Stop kefud if it runs, kill what a failed check left, reap it."""
    srv.stop()
    for pid, _ in left_behind(()):
        os.kill(pid, signal.SIGKILL)
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass
    srv.cleanup()


def gateway_up(t, srv, port, what):
    srv.start()
    t.ok(wait_for(lambda: "listening on 127.0.0.1:%d" % port in srv.log(), 60),
         what, srv.log()[-500:])


def server(gateway):
    srv = Server()
    port = free_port()
    srv.config["ssh"] = {
        "enabled": True, "listen": "127.0.0.1:%d" % port,
        "host_key": os.path.join(srv.dir, "ssh", "host_ed25519"),
        "secret_file": os.path.join(srv.dir, "run", "gateway.secret"),
        "console": os.environ["KEFU"], "gateway": gateway,
    }
    srv.config["shutdown"] = {"drain_timeout": 60}
    return srv, port


def gateways(srv):
    return srv.log().count("ssh: gateway ")


def killed_before_exec(t, real):
    srv, port = server(None)     # the gate below, in front of the real one
    gate = os.path.join(srv.dir, "gate.sh")
    with open(gate, "w") as f:
        f.write(GATE.format(dir=srv.dir, real=real))
    os.chmod(gate, 0o755)
    srv.config["ssh"]["gateway"] = gate
    try:
        srv.start()
        reached = wait_for(lambda: os.path.exists(os.path.join(srv.dir, "gate-reached")), 60)
        t.ok(reached, "the gateway kefud forks waits at the gate", srv.log()[-500:])
        rc = srv.kill9()
        t.eq(rc, -signal.SIGKILL, "kefud is killed (-9) before its gateway runs")
        with open(os.path.join(srv.dir, "gate-open"), "w"):
            pass
        gone = wait_for(lambda: not left_behind(()), 20)
        t.ok(gone, "nothing it started is left: the gateway did not start "
             "without kefud", left_behind(()))
    finally:
        finish(srv)


def drain_restart(t, real):
    srv, port = server(real)
    try:
        gateway_up(t, srv, port, "drain: kefud starts kefud-ssh")
        a = srv.client(); a.login("alice")
        v = srv.client(); h = v.hello("group=tech :hi")
        final, _ = a.cmd("ACCEPT " + h["chat"])
        t.ok(final.startswith("OK"), "drain: alice has a chat", final)
        old = [p for p, c in left_behind((srv.proc.pid,)) if "kefud-ssh" in c]
        started = gateways(srv)
        srv.proc.send_signal(signal.SIGTERM)    # pkill: both at once
        for p in old:
            os.kill(p, signal.SIGTERM)
        t.ok(wait_for(lambda: "draining: 1 chats" in srv.log(), 30),
             "drain: kefud drains for the open chat", srv.log()[-500:])
        t.ok(wait_for(lambda: gateways(srv) > started + 1 and
                      "listening on" in srv.log().rsplit("restarting", 1)[-1], 60),
             "drain: kefud restarts the gateway it saw die", srv.log()[-800:])
        a.cmd("END " + h["chat"])
        t.ok(wait_for(lambda: srv.proc.poll() is not None, 60),
             "drain: the chat ends, kefud stops", srv.log()[-500:])
        gone = wait_for(lambda: not left_behind((srv.proc.pid,)), 20)
        t.ok(gone, "drain: nothing it started is left (the restarted gateway "
             "stopped too)", left_behind((srv.proc.pid,)))
    finally:
        finish(srv)


def killed_running(t, real):
    srv, port = server(real)
    try:
        gateway_up(t, srv, port, "kill -9: kefud-ssh is up")
        srv.kill9()
        gone = wait_for(lambda: not left_behind(()), 20)
        t.ok(gone, "kill -9: nothing kefud started is left", left_behind(()))
    finally:
        finish(srv)


def main():
    t = Tap()
    real = os.environ.get("KEFUD_SSH", "")
    if not real or not os.access(real, os.X_OK) or not os.environ.get("KEFU"):
        print("1..0 # SKIP kefud-ssh or kefu is not built")
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("1..0 # SKIP no child subreaper here")
        return 0
    killed_before_exec(t, real)
    drain_restart(t, real)
    killed_running(t, real)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
