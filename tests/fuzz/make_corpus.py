#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets: tests/fuzz/corpus/<name>/ (python3 tests/fuzz/make_corpus.py).

Every value is synthetic: made-up identifiers (user<i>@example.org, NIRs built from fixed digits with their
key computed, 06 1234 xxxx phone numbers, SHA-1-shaped hex from a fixed generator), points k*G of P-256
for small k. Each file starts with the parameter bytes its target reads (see the header comment of
tests/fuzz/fuzz_<name>.cc), then the payload. The script only writes: it deletes nothing, so a file that
libFuzzer added by hand (or a renamed seed) stays until someone removes it.
"""
import base64
import gzip
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- synthetic identifiers (the same as tests/fuzz/fuzz_server.cc builds its indexes from) ----------------

def nir_key(first13):
    n = int(first13.replace("2A", "19").replace("2B", "18"))
    return 97 - n % 97


def nir(i):
    first13 = "1850578%06d" % (6000 + i)
    return first13 + "%02d" % nir_key(first13)


def email(i):
    return "user%d@example.org" % i


def sha256_tag_hex(kind, canonical):
    return hashlib.sha256(("vigie:%s:%s" % (kind, canonical)).encode()).hexdigest()


# ---- P-256 (affine, textbook; only for making seed points) ------------------------------------------------

P = 2**256 - 2**224 + 2**192 + 2**96 - 1
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
     0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)


def add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    if p1[0] == p2[0] and (p1[1] + p2[1]) % P == 0:
        return None
    if p1 == p2:
        lam = (3 * p1[0] * p1[0] - 3) * pow(2 * p1[1], -1, P) % P
    else:
        lam = (p2[1] - p1[1]) * pow(p2[0] - p1[0], -1, P) % P
    x = (lam * lam - p1[0] - p2[0]) % P
    return (x, (lam * (p1[0] - x) - p1[1]) % P)


def mul(k, pt=G):
    r = None
    while k:
        if k & 1:
            r = add(r, pt)
        pt = add(pt, pt)
        k >>= 1
    return r


def compress(pt):
    return bytes([2 | (pt[1] & 1)]) + pt[0].to_bytes(32, "big")


ELEMENTS = [compress(mul(k)) for k in (1, 2, 3, 7, 12345, N - 1)]


def u16(n):
    return struct.pack(">H", n)


def lp(b):
    """A length-prefixed byte string (fuzz::Cursor::Bytes)."""
    return bytes([len(b)]) + b


# ---- normalize: byte 0 = kind (0 nir, 1 email, 2 phone, 3 password; 0x83 also parses typed lines) ------

def normalize():
    cases = [
        (0, nir(0)), (0, "1 85 05 78 006 001"), (0, nir(3)[:13]), (0, "2 69 05 2A 123 456 77"),
        (0, "1.85.05.78.006.001-" + nir(1)[-2:]), (0, "1\xa085\u202f05 78 006 001"), (0, "18505780060019"),
        (0, "1850578006001 00"), (0, "2A"), (0, ""),
        (1, email(7)), (1, "  User.Name+Tag@Example.ORG  "), (1, "a@b.c"), (1, "x@xn--bcher-kva.example"),
        (1, "john..doe@example.org"), (1, '"quoted"@example.org'), (1, "user@[192.0.2.1]"),
        (1, "user@example.123"), (1, "é@example.org"), (1, "@example.org"),
        (2, "06 12 34 56 78"), (2, "+33 6 12 34 56 78"), (2, "0033612345678"), (2, "33612345678"),
        (2, "+44 (0)20 7946 0000"), (2, "0692 12 34 56"), (2, "+262 692 12 34 56"), (2, "+1-202-555-0100"),
        (2, "06 12 34 56 78 poste 12"), (2, "+0 123"),
        (3, "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3"), (3, "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"),
        (3, "8846F7EAEE8FB117AD06BDD830B7586C:12"), (3, "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:0"),
        (0x83, "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:007\r"),
        (0x83, "8846F7EAEE8FB117AD06BDD830B7586C:18446744073709551616"),
    ]
    for i, (kind, text) in enumerate(cases):
        write("normalize", "%02d" % i, bytes([kind]) + text.encode("utf-8"))
    write("normalize", "latin1-nbsp", b"\x00" + b"1\xa085 05 78 006 001 " + nir(1)[-2:].encode())


# ---- csv: byte 0 = limits (chunk = (b & 31) * 5, line limit index b >> 5), byte 1 = column choice
#      (b & 3: 0 guess, 1 number (b >> 4) - 2, 2 name, 3 plain list; kind (b >> 2) % 4), byte 2 = dialect
#      override (0x80 | delimiter index | 4 header) and 0x40 (a plain file read through InputFile), [name],
#      then the file -------------------------------

BIG = (7 << 5) | 31  # line limit 1 MiB, chunks of 155 bytes (limit indices 4-7: 1 MiB; 0-3: 1, 3, 20, 300)


def csv_case(name, text, limits=BIG, choice=4, override=0, column_name=None):
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    head = bytes([limits, choice, override]) + (lp(column_name.encode()) if column_name is not None else b"")
    write("csv", name, head + data)


def csv():
    rows = ["%s;%s;06 12 34 %02d %02d;Dupont" % (nir(i), email(i), i, i) for i in range(6)]
    semi = "nir;email;telephone;nom\n" + "\n".join(rows) + "\n"
    csv_case("semicolon-guess-email", semi)
    csv_case("semicolon-guess-nir", semi, choice=0)
    csv_case("semicolon-by-number", semi, choice=(5 << 4) | 1 | (2 << 2))
    csv_case("semicolon-by-name", semi, choice=2 | (1 << 2), column_name="E-Mail")
    csv_case("crlf-bom", "\ufeff" + semi.replace("\n", "\r\n"), override=0x40)
    csv_case("tabs", "Numéro_Sécu\tCourriel\n" + "\n".join("%s\t%s" % (nir(i), email(i)) for i in range(4)))
    csv_case("latin1-header", b"Num\xe9ro de s\xe9curit\xe9 sociale|T\xe9l\xe9phone\n" + nir(2).encode() + b"|0612345678\n",
             choice=0)
    csv_case("quoted", 'id,"e-mail","name"\n1,"%s","O""Brien, Jr"\n2, "%s" ,x\n3,"open\n4,a"b,c\n' % (email(1), email(2)))
    csv_case("unbalanced", 'email,x\n"%s" trailing,1\n' % email(3))
    csv_case("too-few-fields", "email,nir,phone\n%s\n%s,%s\n" % (email(4), email(5), nir(5)))
    csv_case("list-emails", "\n".join(email(i) for i in range(8)) + "\n", choice=3 | (1 << 2))
    csv_case("list-header", "email\n" + "\n".join(email(i) for i in range(3)), choice=4)
    hashes = "".join("%040X:%d\r\n" % (i * 0x1234567, i + 1) for i in range(5))
    csv_case("hibp-lines", hashes, choice=3 | (3 << 2))
    csv_case("blank-lines", "email\n\n   \n%s\n\t\n" % email(9), override=0x40)
    csv_case("overlong-small-limits", "email\n" + "x" * 40 + "\n%s\n" % email(1) + "y" * 50,
             limits=(2 << 5) | 2, override=0x40)
    csv_case("tiny-chunks", semi, limits=(5 << 5) | 0, override=0x40)
    csv_case("line-limit-1", "a\nbb\n\nccc", limits=0 | 3, override=0x40)
    csv_case("no-newline", "nir\n" + nir(4), choice=0, override=0x40)
    csv_case("override-pipe", "a|b|c\n1|2|3\n", override=0x80 | 3 | 4)
    csv_case("gzip", gzip.compress(semi.encode(), mtime=0))
    csv_case("gzip-two-members", gzip.compress(semi.encode(), mtime=0) + gzip.compress(b"x;y\n", mtime=0))
    csv_case("gzip-truncated", gzip.compress(semi.encode(), mtime=0)[:-9])
    csv_case("gzip-zero-padding", gzip.compress(semi.encode(), mtime=0) + b"\0" * 8)
    if shutil.which("zstd"):
        z = subprocess.run(["zstd", "-q", "-c", "--no-check"], input=semi.encode(), capture_output=True, check=True).stdout
        csv_case("zstd", z)
        csv_case("zstd-truncated", z[:-5])
    else:
        print("make_corpus: zstd not found, skipping the zstd seeds", file=sys.stderr)
    csv_case("empty", b"", override=0x40)
    csv_case("bom-only", b"\xef\xbb\xbf", override=0x40)


# ---- codec: byte 0 = 0 bucket, 1 records, 2 range body, 3 small ------------------------------------------

def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def bucket(suffixes, sets, set_of, counts=None):
    """docs/FORMAT.md: header, n, m, sets (k, ids delta-coded), suffixes, set indices, counts."""
    out = bytearray([1 | (0x10 if counts is not None else 0)])
    out += varint(len(suffixes)) + varint(len(sets))
    for ids in sets:
        out += varint(len(ids))
        prev = 0
        for j, i in enumerate(ids):
            out += varint(i if j == 0 else i - prev)
            prev = i
    for s in suffixes:
        out += s
    width = 0 if len(sets) <= 1 else 1 if len(sets) <= 256 else 2 if len(sets) <= 65536 else 4
    for s in set_of:
        out += s.to_bytes(width, "little") if width else b""
    if counts is not None:
        for c in counts:
            out += varint(c)
    return bytes(out)


def codec_bucket(name, a, b, options, prefix, probe, encoded):
    write("codec", "bucket-" + name, bytes([0, a, b, options]) + u16(prefix) + lp(probe) + encoded)


def codec():
    # Layout bytes: prefix_hex = 4 + a % 3, suffix_hex = 8 + b % (64 - 8 - prefix_hex + 1).
    s8 = [bytes([i, 0x10 * i, 0xAB, i]) + b"\x00" * 4 for i in range(1, 6)]  # 8 bytes: prefix 4, suffix 16
    one_set = bucket(s8, [[1]], [0] * 5)
    codec_bucket("one-set", 0, 8, 0, 0x1234, s8[2], one_set)
    codec_bucket("two-sets", 0, 8, 1, 0xBEEF, b"\x00" * 8, bucket(s8, [[1], [1, 3, 70000]], [0, 1, 1, 0, 1]))
    # prefix 5, suffix 8 hex digits (4 bytes), with counts (one per member: 1 + 2 + 1 + 1 + 2).
    codec_bucket("counts", 1, 0, 2, 7, s8[0][:4],
                 bucket([s[:4] for s in s8], [[1], [2, 5]], [0, 1, 0, 0, 1], counts=[5, 1, 1, 2, 3, 9, 100000]))
    # prefix 6, suffix 9 hex digits (5 bytes, the last nibble zero).
    s5 = [bytes([i, i, 0, 0, 0x10]) for i in range(1, 4)]
    codec_bucket("odd-nibble", 2, 1, 3, 0, s5[0], bucket(s5, [[2]], [0] * 3))
    codec_bucket("many-sets", 0, 8, 4, 1, b"",
                 bucket([i.to_bytes(2, "big") + b"\x00" * 6 for i in range(300)], [[i + 1] for i in range(300)],
                        list(range(300))))
    codec_bucket("unsorted", 0, 8, 0, 0, b"", bucket([s8[1], s8[0]], [[1]], [0, 0]))
    codec_bucket("trailing", 0, 8, 0, 0, b"", one_set + b"\x00")
    codec_bucket("empty", 0, 8, 0, 0, b"", b"")
    # Records (JSON values of the catalogue).
    meta = {"format_version": 1, "scheme": "sha256", "prefix_hex": 5, "suffix_hex": 16, "allow_unkeyed_nir": False,
            "pad_responses": True, "oprf_public_key": "", "oprf_key_fingerprint": "", "oprf_key_path": "",
            "created_at": "2024-05-01T00:00:00Z", "next_breach_id": 3, "generation": 7, "committed_at": 1714521600}
    write("codec", "record-meta", b"\x01\x00" + json.dumps(meta, separators=(",", ":")).encode())
    meta2 = dict(meta, scheme="oprf-p256", oprf_public_key=ELEMENTS[1].hex(), oprf_key_fingerprint="0123456789abcdef")
    write("codec", "record-meta-oprf", b"\x01\x00" + json.dumps(meta2).encode())
    breach = {"id": 2, "name": "acme-2024", "title": "Acme", "breach_date": "2024-02-01", "added_date": "2024-03-01",
              "description": "synthetic \u00e9\u0000", "data_classes": ["e-mails", "nir"], "count": 42,
              "count_by_kind": {"email": 40, "nir": 2}}
    write("codec", "record-breach", b"\x01\x01" + json.dumps(breach).encode())
    dump = {"breach": "acme-2024", "digest": "00" * 16, "selection": "nir@4,email@6", "file_name": "d.csv",
            "file_bytes": 1234, "added_at": "2024-03-01T00:00:00Z", "rows": 10, "identifiers": 9, "new_to_index": 9,
            "already_present": 0, "new_to_breach": 9, "rejected": 1, "rejects_by_reason": {"nir.key": 1},
            "seconds": 0.25}
    write("codec", "record-dump", b"\x01\x02" + json.dumps(dump).encode())
    # /v1/range bodies, as the encoder writes them.
    body = ('{"v":1,"kind":"email","prefix":"0abc","suffix_hex":16,"breaches":["acme-2024","b2"],'
            '"entries":[["0000000000000001",[0]],["00000000000000ff",[0,1]],["abcdef0123456789",[]]]}')
    write("codec", "range-plain", b"\x02" + body.encode())
    write("codec", "range-counts", b"\x02" + (
        '{"v":1,"kind":"password","prefix":"5BAA6","suffix_hex":35,"breaches":["hibp"],"entries":'
        '[["1e4c9b93f3f0682250b6cf8331b7ee68fd8",[0],3],["2e4c9b93f3f0682250b6cf8331b7ee68fd8",[],0]]}').encode())
    write("codec", "range-padded", b"\x02" + (body[:-1] + ',"pad":"      "}').encode())
    write("codec", "range-spaced", b"\x02" + json.dumps(json.loads(body), indent=1).encode())
    write("codec", "range-bad-order", b"\x02" + body.replace("00000000000000ff", "0000000000000000").encode())
    # Small decoders.
    write("codec", "small-hex", b"\x03\x00" + b"00ff7fAbCd")
    write("codec", "small-varint", b"\x03\x01" + varint(2**63 + 5))
    write("codec", "small-varint-overlong", b"\x03\x01" + b"\xff" * 10 + b"\x01")
    write("codec", "small-bucket-key", b"\x03\x02" + b"b\x02\x01\x23\x45")
    write("codec", "small-prefix", b"\x03\x03" + bytes([1, 20]) + lp(b"0aBc5") + hashlib.sha256(b"t").digest())


# ---- oprf: byte 0 = 0 element, 1 scalar, 2 request, 3 response, 4 hash to curve, 5 JSON, 6 verify ---------

def oprf():
    for i, e in enumerate(ELEMENTS[:3]):
        write("oprf", "element-%d" % i, b"\x00" + e)
    write("oprf", "element-not-on-curve", b"\x00" + b"\x02" + (5).to_bytes(32, "big"))
    write("oprf", "element-identity", b"\x00\x00")
    write("oprf", "element-x-above-p", b"\x00\x03" + b"\xff" * 32)
    write("oprf", "scalar-one", b"\x01\x00" + lp(b"vigie:email:" + email(1).encode()) + (1).to_bytes(32, "big"))
    write("oprf", "scalar-n-minus-1", b"\x01\x01" + lp(b"") + (N - 1).to_bytes(32, "big"))
    write("oprf", "scalar-n", b"\x01\x00" + lp(b"x") + N.to_bytes(32, "big"))
    write("oprf", "request-3", b"\x02\x10" + u16(3) + b"".join(ELEMENTS[:3]))
    write("oprf", "request-over-limit", b"\x02\x01" + u16(2) + b"".join(ELEMENTS[:2]))
    write("oprf", "request-short", b"\x02\x10" + u16(2) + ELEMENTS[0])
    write("oprf", "response-oprf", b"\x03" + u16(2) + b"".join(ELEMENTS[3:5]) + b"\x00")
    write("oprf", "response-voprf", b"\x03" + u16(1) + ELEMENTS[4] + b"\x01" + bytes(range(64)))
    write("oprf", "h2c-rfc-dst", b"\x04\x00" + lp(b"QUUX-V01-CS02-with-P256_XMD:SHA-256_SSWU_RO_") + u16(48) + b"abc")
    write("oprf", "h2c-empty-msg", b"\x04\x01" + lp(b"HashToGroup-OPRFV1-\x00-P256-SHA256") + u16(8160))
    write("oprf", "h2c-long-len", b"\x04\x00" + lp(b"D") + u16(8161) + b"q128_" + b"q" * 128)
    hexes = [e.hex() for e in ELEMENTS[:2]]
    write("oprf", "json-hex", b"\x05\x08" + json.dumps({"elements": hexes, "verifiable": False}).encode())
    write("oprf", "json-hex-verifiable", b"\x05\x08" + json.dumps({"elements": hexes[:1], "verifiable": True}).encode())
    b64 = [base64.b64encode(e).decode() for e in ELEMENTS[2:4]]
    write("oprf", "json-base64", b"\x05\x08" + json.dumps({"elements": b64}).encode())
    write("oprf", "json-base64url", b"\x05\x08" + json.dumps(
        {"elements": [base64.urlsafe_b64encode(ELEMENTS[5]).decode().rstrip("=")]}).encode())
    write("oprf", "json-mixed", b"\x05\x08" + json.dumps({"elements": [hexes[0], b64[0]]}).encode())
    write("oprf", "base64", b"\x05\x01" + b"QUJD+/==")
    write("oprf", "verify-1", b"\x06\x00" + lp(ELEMENTS[1]) + lp(ELEMENTS[2]) + bytes(64))
    write("oprf", "verify-2", b"\x06\x01" + b"".join(lp(e) for e in ELEMENTS[:4]) + bytes(range(64)))


# ---- set: byte 0 = breach count, then shard bodies (tests/vectors/set-shards.txt) -------------------------
def sets():
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "vectors", "set-shards.txt")
    bodies = {}
    name = None
    for line in open(path):
        if line.startswith("name = "):
            name = line.split("=", 1)[1].strip()
        elif line.startswith("body = "):
            bodies[name] = bytes.fromhex(line.split("=", 1)[1].strip())
    for name, body in bodies.items():
        write("set", name, bytes([8]) + body)
    write("set", "all", bytes([8]) + b"".join(bodies.values()))
    write("set", "manifest", b'{"v":1,"kind":"nir","scheme":"sha256","generation":1,"shard_bits":1,"tag_bits":21,'
          b'"count":1,"breaches":["a"],"coding":{},"padded":false,"shards":[{"count":1,"bytes":40,"etag":"x"},'
          b'{"count":0,"bytes":38,"etag":"y"}]}')


# ---- server: byte 0 = server (0 sha256 padded, 1 sha1 Pwned Passwords, 2 oprf-p256), then the request -----

def server():
    prefix = sha256_tag_hex("email", email(7))[:4]
    nir_prefix = sha256_tag_hex("nir", nir(3))[:4]
    host = "Host: 127.0.0.1\r\n"

    def get(path, extra=""):
        return ("GET %s HTTP/1.1\r\n%s%s\r\n" % (path, host, extra)).encode()

    def post(path, ctype, body, extra=""):
        return ("POST %s HTTP/1.1\r\n%sContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n"
                % (path, host, ctype, len(body), extra)).encode() + body

    cases = {
        "range-email": (0, get("/v1/range/email/" + prefix)),
        "range-nir-upper": (0, get("/v1/range/nir/" + nir_prefix.upper())),
        "range-phone-etag": (0, get("/v1/range/phone/00ff", 'If-None-Match: W/"0123456789abcdef"\r\n')),
        "range-bad-prefix": (0, get("/v1/range/email/zz%20z")),
        "range-gzip": (0, get("/v1/range/email/" + prefix, "Accept-Encoding: gzip, br\r\n")),
        "range-head": (0, ("HEAD /v1/range/email/%s HTTP/1.1\r\n%s\r\n" % (prefix, host)).encode()),
        "range-options": (0, ("OPTIONS /v1/range/email/%s HTTP/1.1\r\n%sOrigin: http://x\r\n"
                              "Access-Control-Request-Method: GET\r\n\r\n" % (prefix, host)).encode()),
        "range-keyed": (0, get("/v1/range/email/" + prefix, "Authorization: Bearer fuzz-api-key-0001\r\n")),
        "range-bad-key": (0, get("/v1/range/email/" + prefix, "Authorization: Bearer nope\r\n")),
        "pipelined": (0, get("/healthz") + get("/readyz") + get("/v1/index", "Connection: close\r\n")),
        "breaches": (0, get("/v1/breaches")),
        "breach": (0, get("/v1/breaches/fuzz-breach-1")),
        "breach-unknown": (0, get("/v1/breaches/..%2F..%2Fetc")),
        "index": (0, get("/v1/index?x=1&y")),
        "page": (0, get("/", "If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT\r\n")),
        "static": (0, get("/static/app.js")),
        "static-missing": (0, get("/static/../server.key")),
        "metrics": (0, get("/metrics")),
        "range-header": (0, get("/v1/range/email/" + prefix, "Range: bytes=0-99999\r\n")),
        "range-far": (0, get("/healthz", "Range: bytes=68719476736-\r\nIf-Range: \"x\"\r\n")),
        "post-no-length": (2, b"POST /v1/oprf/email/evaluate HTTP/1.1\r\n" + host.encode() +
                           b"Content-Type: application/octet-stream\r\n\r\n"),
        "expect-too-large": (2, b"POST /v1/oprf/email/evaluate HTTP/1.1\r\n" + host.encode() +
                             b"Content-Length: 9999999\r\nExpect: 100-continue\r\n\r\n"),
        "xff-lines": (0, get("/v1/breaches", "X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-For: 2001:db8::1\r\n")),
        "openapi": (0, get("/v1/openapi.json", "Accept-Encoding: gzip\r\n")),
        "healthz-http10": (0, b"GET /healthz HTTP/1.0\r\n\r\n"),
        "delete": (0, b"DELETE /v1/breaches HTTP/1.1\r\n" + host.encode() + b"\r\n"),
        "body-on-get": (0, post("/v1/range/email/" + prefix, "text/plain", b"x" * 20).replace(b"POST", b"GET", 1)),
        "chunked": (0, b"POST /v1/oprf/email/evaluate HTTP/1.1\r\n" + host.encode() +
                    b"Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n"),
        "garbage": (0, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"),
        "bad-request-line": (0, b"GET\r\n\r\n"),
        "long-url": (0, get("/v1/range/email/" + "a" * 3000)),
        "hibp": (1, get("/range/5BAA6")),
        "hibp-padded": (1, get("/range/abcde", "Add-Padding: true\r\n")),
        "hibp-ntlm": (1, get("/range/00000?mode=ntlm")),
        "hibp-v1": (1, get("/v1/range/password/FFFFF")),
        "hibp-on-sha256": (0, get("/range/5BAA6")),
        "oprf-key": (2, get("/v1/oprf/key")),
        "oprf-index": (2, get("/v1/index")),
        "oprf-binary": (2, post("/v1/oprf/email/evaluate", "application/octet-stream",
                                u16(2) + ELEMENTS[0] + ELEMENTS[1])),
        "oprf-binary-verifiable": (2, post("/v1/oprf/email/evaluate?verifiable=1", "application/octet-stream",
                                           u16(1) + ELEMENTS[2], "Authorization: Bearer fuzz-api-key-0001\r\n")),
        "oprf-json": (2, post("/v1/oprf/email/evaluate", "application/json",
                              json.dumps({"elements": [ELEMENTS[3].hex()], "verifiable": True}).encode())),
        "oprf-json-base64": (2, post("/v1/oprf/nir/evaluate", "application/json; charset=utf-8",
                                     json.dumps({"elements": [base64.b64encode(ELEMENTS[4]).decode()]}).encode())),
        "oprf-bad-point": (2, post("/v1/oprf/email/evaluate", "application/octet-stream", u16(1) + b"\x02" * 33)),
        "oprf-wrong-type": (2, post("/v1/oprf/email/evaluate", "text/plain", b"hello")),
        "oprf-bad-kind": (2, post("/v1/oprf/password/evaluate", "application/octet-stream", u16(1) + ELEMENTS[0])),
        "oprf-get": (2, get("/v1/oprf/email/evaluate")),
        "oprf-on-sha256": (0, post("/v1/oprf/email/evaluate", "application/octet-stream", u16(1) + ELEMENTS[0])),
        "oprf-range": (2, get("/v1/range/email/0abc")),
        "oprf-big-body": (2, post("/v1/oprf/email/evaluate", "application/octet-stream",
                                  u16(600) + ELEMENTS[1] * 600)),
        "expect-100": (2, post("/v1/oprf/email/evaluate", "application/octet-stream", u16(1) + ELEMENTS[1],
                               "Expect: 100-continue\r\n")),
    }
    for name, (which, request) in cases.items():
        write("server", name, bytes([which]) + request)


def main():
    normalize()
    csv()
    codec()
    oprf()
    server()
    sets()
    for target in sorted(os.listdir(ROOT)):
        print("%-10s %d files" % (target, len(os.listdir(os.path.join(ROOT, target)))))


if __name__ == "__main__":
    main()
