"""mkmmdb - write a tiny MaxMind DB (.mmdb, binary format 2.0) for tests,
from the published format description: a binary search tree over the
address bits (IPv6 tree; IPv4 networks live under ::/96), 16 zero bytes,
a data section of typed values, then the metadata marker and map.

    build([("192.0.2.0/24", {"country": {"iso_code": "CN"}}), ...])

returns the file's bytes. Networks may nest (a narrower one overrides
the wider one inside it). record_size 24, 28 or 32. raw_data lets a test
put arbitrary (hostile) bytes in place of a network's encoded value
(or a function of the value's offset in the data section, for pointers)."""
import ipaddress
import struct

MARKER = b"\xab\xcd\xefMaxMind.com"


def _ctrl(typ, size):
    """Control byte(s) for a value of type typ and payload size."""
    if size < 29:
        first, ext = size, b""
    elif size < 29 + 256:
        first, ext = 29, bytes([size - 29])
    elif size < 285 + 65536:
        first, ext = 30, struct.pack(">H", size - 285)
    else:
        first, ext = 31, struct.pack(">I", size - 65821)[1:]
    if typ <= 7:
        return bytes([(typ << 5) | first]) + ext
    return bytes([first, typ - 7]) + ext     # extended type: its own byte


def _uint(typ, v):
    b = v.to_bytes((v.bit_length() + 7) // 8, "big") if v else b""
    return _ctrl(typ, len(b)) + b


def encode(v):
    if isinstance(v, bool):
        return _ctrl(14, int(v))
    if isinstance(v, str):
        b = v.encode("utf-8")
        return _ctrl(2, len(b)) + b
    if isinstance(v, bytes):
        return _ctrl(4, len(v)) + v
    if isinstance(v, int):
        return _uint(6 if v < 1 << 32 else 9, v)
    if isinstance(v, float):
        return _ctrl(3, 8) + struct.pack(">d", v)
    if isinstance(v, dict):
        out = _ctrl(7, len(v))
        for k, x in v.items():
            out += encode(k) + encode(x)
        return out
    if isinstance(v, list):
        return _ctrl(11, len(v)) + b"".join(encode(x) for x in v)
    raise TypeError(type(v))


class U16(int):
    pass


def _meta(node_count, record_size):
    def u16(v):
        return _uint(5, v)
    m = b""
    items = [("binary_format_major_version", u16(2)),
             ("binary_format_minor_version", u16(0)),
             ("build_epoch", _uint(9, 1700000000)),
             ("database_type", encode("kefu-Test-City")),
             ("description", encode({"en": "kefu test database"})),
             ("ip_version", u16(6)),
             ("languages", encode(["en"])),
             ("node_count", _uint(6, node_count)),
             ("record_size", u16(record_size))]
    for k, v in items:
        m += encode(k) + v
    return _ctrl(7, len(items)) + m


def _bits(net):
    n = ipaddress.ip_network(net, strict=False)
    if n.version == 4:
        addr = (0xFFFF0000 & 0) | int(n.network_address)   # ::a.b.c.d
        plen = 96 + n.prefixlen
    else:
        addr, plen = int(n.network_address), n.prefixlen
    return [(addr >> (127 - i)) & 1 for i in range(plen)]


def build(entries, record_size=24, raw_data=None):
    raw_data = raw_data or {}
    data = b""
    leaves = []
    for i, (net, value) in enumerate(entries):
        blob = encode(value) if i not in raw_data else (
            raw_data[i](len(data)) if callable(raw_data[i]) else raw_data[i])
        leaves.append(("d", len(data)))
        data += blob
    nodes = [[None, None]]
    order = sorted(range(len(entries)), key=lambda i: len(_bits(entries[i][0])))
    for i in order:
        bits = _bits(entries[i][0])
        node = 0
        for depth, b in enumerate(bits):
            if depth == len(bits) - 1:
                nodes[node][b] = leaves[i]
                break
            child = nodes[node][b]
            if not isinstance(child, int):        # empty or a wider net
                nodes.append([child, child])
                child = len(nodes) - 1
                nodes[node][b] = child
            node = child
    n = len(nodes)

    def rec(c):
        if c is None:
            return n
        if isinstance(c, int):
            return c
        return n + 16 + c[1]
    tree = b""
    for left, right in nodes:
        lv, rv = rec(left), rec(right)
        if record_size == 24:
            tree += lv.to_bytes(3, "big") + rv.to_bytes(3, "big")
        elif record_size == 28:
            tree += ((lv & 0xFFFFFF).to_bytes(3, "big") +
                     bytes([((lv >> 24) << 4) | (rv >> 24)]) +
                     (rv & 0xFFFFFF).to_bytes(3, "big"))
        else:
            tree += lv.to_bytes(4, "big") + rv.to_bytes(4, "big")
    return tree + b"\0" * 16 + data + MARKER + _meta(n, record_size)


def city(country, sub=None):
    v = {"country": {"iso_code": country, "names": {"en": country}}}
    if sub:
        v["subdivisions"] = [{"iso_code": sub}]
    return v
