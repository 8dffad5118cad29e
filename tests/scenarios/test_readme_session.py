"""The two-terminal nc session in README.md, replayed against a real kefud:
every command in it is sent as written, and every reply and event it shows
must come, in its order, on that side (a value elided with "…" in the
README stands for any text). A README that shows what kefud does not send
(eta=0 for a queue with no basis for an estimate, * QADD to an agent who
logs in after the visitor came) fails here."""
import os, re, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap

t = Tap()
HERE = os.path.dirname(os.path.abspath(__file__))
README = os.path.join(os.environ.get("top_srcdir", os.path.join(HERE, "..", "..")), "README.md")
WAIT = 20


def session_rows():
    """(visitor part, agent part) of each line of the README's nc session."""
    with open(README, encoding="utf-8") as f:
        lines = f.read().split("\n")
    start = next(i for i, l in enumerate(lines)
                 if l.startswith("$ nc 127.0.0.1 7707") and l.count("$ nc") == 2)
    rows = []
    for l in lines[start + 1:]:
        if l.startswith("```"):
            break
        if not l.strip():
            continue
        if l.startswith(" "):
            rows.append(("", l.strip()))
            continue
        parts = re.split(r" {2,}", l.strip(), maxsplit=1)
        rows.append((parts[0], parts[1] if len(parts) > 1 else ""))
    return rows


def is_output(part):
    return part.startswith(("OK", "ERR", "* ", "+ "))


def pattern(part):
    """The README line as a regular expression: an elided value ("6f1d…",
    "ts=…") matches any text."""
    return re.compile(".*".join(re.escape(p) for p in re.split(r"[^ =]*…", part)))


def expect(c, who, part):
    """Read c's lines until one is part (with … as a wildcard)."""
    pat = pattern(part)
    seen = []
    deadline = time.time() + WAIT
    while time.time() < deadline:
        l = c.readline(max(0.1, deadline - time.time()))
        if l is None:
            break
        seen.append(l)
        if pat.fullmatch(l):
            return True, seen
    return False, seen


srv = Server().start()
try:
    rows = session_rows()
    t.ok(len(rows) >= 10, "the README has the two-terminal nc session", rows)
    side = {"visitor": srv.client(), "agent": srv.client()}
    for vpart, apart in rows:
        for who, part in (("visitor", vpart), ("agent", apart)):
            if not part:
                continue
            if not is_output(part):
                side[who].send(part)
                continue
            found, seen = expect(side[who], who, part)
            t.ok(found, "README, %s sees: %s" % (who, part), seen)
finally:
    srv.stop()
    srv.cleanup()
sys.exit(t.done())
