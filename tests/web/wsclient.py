"""wsclient - a minimal WebSocket client for kefud's tests (stdlib only).

    ws = WSClient(port, origin="http://127.0.0.1:%d" % port)
    ws.hello("name=张三 :hi")      # the kefutest.Client API: cmd, ok, ...
    ws.send_frame(OP_TEXT, b"PING", fin=False)   # frames by hand
    op, payload = ws.recv_frame()

Each text message is one protocol line, so kefutest.Client's cmd/ok/
expect_event work on top of readline() unchanged.
"""
import base64
import hashlib
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scenarios"))
import kefutest  # noqa: E402

OP_CONT, OP_TEXT, OP_BIN, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def http_request(port, raw, timeout=5):
    """Send raw bytes to the HTTP port; return (status, headers, body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout)
    try:
        s.sendall(raw)
        data = b""
        s.settimeout(timeout)
        while True:
            try:
                d = s.recv(65536)
            except socket.timeout:
                break
            if not d:
                break
            data += d
    finally:
        s.close()
    return parse_response(data)


def parse_response(data):
    if b"\r\n\r\n" not in data:
        return (None, {}, data)
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    hdrs = {}
    for l in lines[1:]:
        if ":" in l:
            k, v = l.split(":", 1)
            hdrs[k.strip().lower()] = v.strip()
    return (status, hdrs, body)


def handshake_bytes(path="/ws", origin=None, key=None, host="127.0.0.1",
                    extra=""):
    """A WebSocket upgrade request; host should carry the port."""
    key = key if key is not None else base64.b64encode(os.urandom(16)).decode()
    h = ("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
         "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
         "Sec-WebSocket-Version: 13\r\n" % (path, host, key))
    if origin:
        h += "Origin: %s\r\n" % origin
    return (h + extra + "\r\n").encode(), key


def accept_for(key):
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def frame(op, payload=b"", fin=True, mask=True, rsv=0):
    if isinstance(payload, str):
        payload = payload.encode()
    b0 = (0x80 if fin else 0) | (rsv << 4) | op
    n = len(payload)
    mbit = 0x80 if mask else 0
    if n < 126:
        hdr = struct.pack("!BB", b0, mbit | n)
    elif n < 65536:
        hdr = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        hdr = struct.pack("!BBQ", b0, mbit | 127, n)
    if not mask:
        return hdr + payload
    k = os.urandom(4)
    return hdr + k + bytes(b ^ k[i % 4] for i, b in enumerate(payload))


class WSClient(kefutest.Client):
    def __init__(self, port, origin=None, path="/ws", key=None, timeout=5,
                 extra="", connect=True, rcvbuf=None):
        self.timeout = timeout
        self.buf = b""
        self.events = []
        self.closed = False
        self.status = None
        self.headers = {}
        self.close_code = None
        self.pongs = []
        if rcvbuf is None:
            self.s = socket.create_connection(("127.0.0.1", port), timeout)
        else:   # a small window, set before the handshake offers one
            self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            self.s.settimeout(timeout)
            self.s.connect(("127.0.0.1", port))
        if not connect:
            return
        raw, self.key = handshake_bytes(path, origin, key, "127.0.0.1:%d" % port,
                                        extra=extra)
        self.s.sendall(raw)
        data = b""
        deadline = time.time() + timeout
        while b"\r\n\r\n" not in data and time.time() < deadline:
            self.s.settimeout(max(0.01, deadline - time.time()))
            try:
                d = self.s.recv(1)   # byte by byte: frames may follow
            except socket.timeout:
                break
            if not d:
                break
            data += d
        self.status, self.headers, _ = parse_response(data)

    def upgraded(self):
        return (self.status == 101 and self.headers.get("sec-websocket-accept")
                == accept_for(self.key))

    def send_frame(self, op, payload=b"", fin=True, mask=True, rsv=0):
        self.s.sendall(frame(op, payload, fin, mask, rsv))

    def send(self, line):
        self.send_frame(OP_TEXT, line)

    def _read(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.time()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                d = self.s.recv(65536)
            except (socket.timeout, OSError):
                return None
            if not d:
                return None
            self.buf += d
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_frame(self, timeout=None):
        """(opcode, payload) of the next frame, or (None, None)."""
        deadline = time.time() + (self.timeout if timeout is None else timeout)
        h = self._read(2, deadline)
        if h is None:
            return (None, None)
        op, n = h[0] & 0x0F, h[1] & 0x7F
        if h[1] & 0x80:     # a server never masks
            return ("masked", None)
        if n == 126:
            e = self._read(2, deadline)
            n = struct.unpack("!H", e)[0] if e else 0
        elif n == 127:
            e = self._read(8, deadline)
            n = struct.unpack("!Q", e)[0] if e else 0
        p = self._read(n, deadline) if n else b""
        if p is None:
            return (None, None)
        if op == OP_CLOSE:
            self.close_code = struct.unpack("!H", p[:2])[0] if len(p) >= 2 else 0
        return (op, p)

    def readline(self, timeout=None):
        """The next text message as a line; answers pings, None on close."""
        deadline = time.time() + (self.timeout if timeout is None else timeout)
        while True:
            op, p = self.recv_frame(max(0, deadline - time.time()))
            if op is None or op == OP_CLOSE or op == "masked":
                return None
            if op == OP_PING:
                try:
                    self.send_frame(OP_PONG, p)
                except OSError:
                    return None     # the server closed it meanwhile
                continue
            if op == OP_PONG:
                self.pongs.append(p)
                continue
            return p.decode("utf-8", errors="replace")

    def wait_close(self, timeout=None):
        """Read until the server's close frame; its code, or None."""
        deadline = time.time() + (self.timeout if timeout is None else timeout)
        while time.time() < deadline:
            op, p = self.recv_frame(max(0, deadline - time.time()))
            if op is None:
                return None
            if op == OP_CLOSE:
                return self.close_code
        return None
