"""File modes (issue 15 item 7): the database, its -wal and -shm, and the
output of `kefud backup` hold password hashes and every conversation, so
they are created 0600 even under umask 022; files an older kefud left
readable by others are tightened at start."""
import os, stat, subprocess, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kefutest import Server, Tap


def mode(path):
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None


t = Tap()
os.umask(0o022)
srv = Server().start()
try:
    v = srv.client()
    v.hello("name=modes group=tech :my order")
    final, _ = v.cmd("SAY :something private")
    t.ok(final is not None and final.startswith("OK seq="), "a message is stored", final)
    for sfx in ("", "-wal", "-shm"):
        t.eq(oct(mode(srv.db + sfx) or 0), oct(0o600),
             "under umask 022 the database%s is 0600" % (sfx and " " + sfx))
    dest = os.path.join(srv.dir, "backup.db")
    r = subprocess.run([srv.binary, "-c", srv.config_path, "backup", dest],
                       cwd=srv.dir, capture_output=True, text=True, timeout=60)
    t.eq(r.returncode, 0, "kefud backup works (%s)" % r.stderr.strip())
    t.eq(oct(mode(dest) or 0), oct(0o600), "the backup is 0600")
    t.ok(mode(dest + "-journal") is None, "and leaves no journal behind")

    # an older kefud's files, readable by everyone: tightened at start
    srv.stop()
    for sfx in ("", "-wal", "-shm"):
        if os.path.exists(srv.db + sfx):
            os.chmod(srv.db + sfx, 0o644)
    os.chmod(dest, 0o644)
    srv.start()
    v = srv.client()
    v.hello("name=again group=tech :hi")
    t.ok(all(mode(srv.db + sfx) in (None, 0o600) for sfx in ("", "-wal", "-shm"))
         and mode(srv.db) == 0o600,
         "a 0644 database (and companions) is made 0600 at start",
         [(sfx, oct(mode(srv.db + sfx) or 0)) for sfx in ("", "-wal", "-shm")])
    t.ok("mode tightened to 0600" in srv.log(), "kefud says so in its log")
    r = subprocess.run([srv.binary, "-c", srv.config_path, "backup", dest],
                       cwd=srv.dir, capture_output=True, text=True, timeout=60)
    t.ok(r.returncode == 0 and mode(dest) == 0o600,
         "a backup over an old 0644 file is 0600 too", oct(mode(dest) or 0))
finally:
    srv.cleanup()
t.done()
