#!/usr/bin/env python3
"""Generates the hostile fixtures in testdata/hostile/ and their expected.tsv.

Python 3 standard library only; every protobuf is hand-encoded below (field numbers
from google/pprof proto/profile.proto). Deterministic: same bytes on every run
(gzip mtime 0, seeded random). Run from anywhere:

    python3 testdata/hostile/gen.py

It deletes every file in this folder except gen.py and regress-* (fuzzer crash
reproducers, listed in REGRESS below), then writes the fixtures and expected.tsv.
tests/hostile.rs checks each row of expected.tsv.

expected.tsv columns (tab-separated, header row):
  file      fixture name
  outcome   `error` or `ok`
  kind      error: the DecodeError variant the fixture was built to cause (`Protobuf`,
            `Malformed`, `TruncatedGzip`, …); ok: `-`
  stage     error: where decoding must stop (DecodeError::stage: sniff, gzip, size, wire,
            model, limit, text); ok: `-`
  at        error: the position the error must name (DecodeError::position: the compressed
            byte for gzip, the protobuf byte for wire errors, the line for text), computed
            here from how the fixture was built; `-` where the fixture does not fix one
  expect    error: `;`-separated things the message must name, taken from the fixture's
            construction (the ids, indices and limits it was built with), `-` for none;
            ok: `;`-separated checks, see PROPERTIES below
  note      what the fixture is (for people)

PROPERTIES (checked by tests/hostile.rs; NAME is percent-encoded raw bytes):
  samples=N        number of samples
  types=N          number of sample types
  default=S        name of the default sample type
  total=N          top_table total of the default sample type
  functions=N      number of distinct functions
  stacks=N         number of distinct stacks
  max_depth=N      frames in the deepest stack
  flat(NAME)=N     top-table flat of function NAME (default sample type)
  cum(NAME)=N      top-table cum of function NAME
  has(NAME)        a function with exactly these raw name bytes exists
  shown(NAME)      a function whose display (lossy UTF-8) name is exactly NAME
  longest_name=N   longest raw function name, in bytes
  labels=N         largest label set on any sample
  goroutines=N     goroutine details (debug=2 dumps)
  format~S         the format string contains S
  flame_depth=N    engine Flame (whole profile): deepest node depth
  flame_nodes=N    engine Flame: number of nodes (min_fraction 0)
"""
import gzip
import os
import random
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HEAP_GZ = os.path.join(ROOT, "testdata", "example", "heap.pb.gz")

# Fuzzer crash reproducers (saved by hand from fuzz/artifacts, never regenerated):
# (file, outcome, kind, stage, at, expect, note): expected.tsv's columns
REGRESS = [
    ("regress-legacy-utf8-name.bin", "ok", "-", "-", "-", "types=2; default=delay; total=1900",
     "fuzz/legacy crash: a Java contention profile whose symbol name has a multi-byte character before its "
     "'(' (profdrop's simplify_func sliced inside the character); pprof: delay 1900us, contentions 700"),
]

# ---------------------------------------------------------------- protobuf encoding


def varint(n):
    """Unsigned varint; negative numbers as 64-bit two's complement (int64 fields)."""
    if n < 0:
        n += 1 << 64
    assert 0 <= n < (1 << 64)
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def tag(field, wire):
    return varint((field << 3) | wire)


def fv(field, n):
    """A varint field; omitted when 0 (proto3 default), like real encoders."""
    return b"" if n == 0 else tag(field, 0) + varint(n)


def fb(field, payload):
    """A length-delimited field (bytes, string, sub-message, packed)."""
    return tag(field, 2) + varint(len(payload)) + payload


def fpacked(field, nums):
    return b"" if not nums else fb(field, b"".join(varint(n) for n in nums))


def m_value_type(t, unit):
    return fv(1, t) + fv(2, unit)


def m_label(key, s=0, num=0, unit=0):
    return fv(1, key) + fv(2, s) + fv(3, num) + fv(4, unit)


def m_sample(locs, values, labels=()):
    return fpacked(1, locs) + fpacked(2, values) + b"".join(fb(3, l) for l in labels)


def m_mapping(mid, filename=0, start=0, limit=0, build_id=0, has_functions=False):
    return fv(1, mid) + fv(2, start) + fv(3, limit) + fv(5, filename) + fv(6, build_id) + fv(7, int(has_functions))


def m_line(function_id, line=0):
    return fv(1, function_id) + fv(2, line)


def m_location(lid, lines=(), mapping_id=0, address=0):
    return fv(1, lid) + fv(2, mapping_id) + fv(3, address) + b"".join(fb(4, m_line(*l)) for l in lines)


def m_function(fid, name, filename=0, system_name=0, start_line=0):
    return fv(1, fid) + fv(2, name) + fv(3, system_name) + fv(4, filename) + fv(5, start_line)


class Prof:
    """A pprof Profile assembled field by field (each list holds encoded sub-messages).

    Strings are interned; `sample_types` etc. take names. Nothing is validated: that is
    the point."""

    def __init__(self, sample_types=(("samples", "count"),), strings=None):
        self.strings = list(strings) if strings is not None else [b""]
        self.index = {s: i for i, s in enumerate(self.strings)}
        self.sample_type = [m_value_type(self.s(t), self.s(u)) for t, u in sample_types]
        self.sample, self.mapping, self.location, self.function = [], [], [], []
        self.comment = []
        self.head = b""  # extra top-level fields (time, period, drop_frames, …)
        self.next_func = 1
        self.next_loc = 1
        self.funcs = {}

    def s(self, v):
        if isinstance(v, str):
            v = v.encode()
        i = self.index.get(v)
        if i is None:
            i = len(self.strings)
            self.strings.append(v)
            self.index[v] = i
        return i

    def func(self, name, filename=b""):
        """Function id for a name (one function per name)."""
        key = name if isinstance(name, bytes) else name.encode()
        if key not in self.funcs:
            fid = self.next_func
            self.next_func += 1
            self.function.append(m_function(fid, self.s(key), self.s(filename) if filename else 0))
            self.funcs[key] = fid
        return self.funcs[key]

    def loc(self, *names):
        """A new location whose lines are these functions (first = leaf-most inline frame)."""
        lid = self.next_loc
        self.next_loc += 1
        self.location.append(m_location(lid, [(self.func(n), 1) for n in names]))
        return lid

    def stack(self, *names):
        """Location ids for a stack of functions, leaf first (one location per function,
        shared between stacks)."""
        out = []
        for n in names:
            key = ("loc", n)
            if key not in self.funcs:
                self.funcs[key] = self.loc(n)
            out.append(self.funcs[key])
        return out

    def add(self, names, values, labels=()):
        self.sample.append(m_sample(self.stack(*names), values, labels))

    def encode(self, strings_last=True):
        body = [fb(1, t) for t in self.sample_type]
        body += [fb(2, x) for x in self.sample]
        body += [fb(3, x) for x in self.mapping]
        body += [fb(4, x) for x in self.location]
        body += [fb(5, x) for x in self.function]
        body += [fpacked(13, self.comment)]
        body.append(self.head)
        strings = b"".join(fb(6, x) for x in self.strings)
        return b"".join(body) + strings if strings_last else strings + b"".join(body)


def gz(data, level=6):
    return gzip.compress(data, compresslevel=level, mtime=0)


def pct(b):
    """Percent-encodes name bytes for expected.tsv (everything but [A-Za-z0-9._/-])."""
    if isinstance(b, str):
        b = b.encode()
    ok = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/-"
    return "".join(chr(c) if c in ok else "%%%02X" % c for c in b)


# ---------------------------------------------------------------- protobuf reading (for cuts)


def read_varint(b, i):
    r = s = 0
    while True:
        c = b[i]
        i += 1
        r |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return r, i


def top_fields(b):
    """(field, wire, start, end) of every top-level field."""
    out, i = [], 0
    while i < len(b):
        st = i
        k, i = read_varint(b, i)
        wire = k & 7
        if wire == 0:
            _, i = read_varint(b, i)
        elif wire == 2:
            n, i = read_varint(b, i)
            i += n
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise ValueError("wire %d" % wire)
        out.append((k >> 3, wire, st, i))
    return out


# ---------------------------------------------------------------- fixtures

FIX = []  # (file, bytes, outcome, expect, note)


def E(kind, stage, at=None, *names):
    """What an error fixture was built to break: DecodeError variant, stage, position (or
    None), and what the message must name."""
    return (kind, stage, at, names)


def payload(b, start):
    """Offset of the payload of the length-delimited field whose key starts at `start`."""
    _, i = read_varint(b, start)
    _, i = read_varint(b, i)
    return i


def add(name, data, outcome, expect, note):
    assert outcome in ("ok", "error"), outcome
    if outcome == "error":
        kind, stage, at, names = expect
        assert all("\t" not in x and ";" not in x for x in names), names
        cols = (kind, stage, "-" if at is None else str(at), ";".join(names) or "-")
    else:
        assert "\t" not in expect and "\n" not in expect
        cols = ("-", "-", "-", expect)
    assert "\t" not in note
    FIX.append((name, data, outcome, cols, note))


def heap_fixtures():
    heap_gz = open(HEAP_GZ, "rb").read()
    raw = gzip.decompress(heap_gz)
    n = len(heap_gz)
    # heap.pb.gz's inuse_space total and sample count (testdata/golden/top/example__heap.pb.gz.3.inuse_space.tsv)
    heap_ok = "samples=306; types=4; default=inuse_space; total=594096; cum(bytes.growSlice)=410624"
    add("heap-raw.pb", raw, "ok", heap_ok, "testdata/example/heap.pb.gz inflated: plain protobuf loads like the gzip")

    # --- gzip-level truncation
    # One byte is not even the gzip magic; from two bytes on, the stream ends `cut` bytes in.
    for cut in [1, 2, 9, 10, 11, 100, n // 2, n - 9, n - 8, n - 4, n - 1]:
        exp = E("NotAProfile", "sniff") if cut == 1 else E("TruncatedGzip", "gzip", cut)
        add("gz-trunc-%05d.pb.gz" % cut, heap_gz[:cut], "error", exp,
            "heap.pb.gz (%d bytes) cut after %d bytes" % (n, cut))

    # --- gzip-level bit flips. Without the CRC-32 check, a flip inside the deflate data
    # that still inflates gives a silently different profile; with it, every one is an error.
    rnd = random.Random(6)
    for k in range(6):
        pos = rnd.randrange(10, n - 8)
        bit = rnd.randrange(8)
        b = bytearray(heap_gz)
        b[pos] ^= 1 << bit
        # Where inflate notices depends on the deflate data (a broken block, or the CRC-32 at
        # the trailer): the stage and kind are what the flip was made to break.
        add("gz-flip-%d.pb.gz" % k, bytes(b), "error", E("BadGzip", "gzip"),
            "heap.pb.gz with bit %d of byte %d flipped (inside the deflate data): corrupt or CRC mismatch" % (bit, pos))
    b = bytearray(heap_gz)
    b[n - 8] ^= 0x01
    add("gz-bad-crc.pb.gz", bytes(b), "error", E("BadGzip", "gzip", n - 8, "checksum"),
        "heap.pb.gz with a wrong CRC-32 in the trailer (gzip(1), Go and pprof refuse it)")
    b = bytearray(heap_gz)
    b[n - 4] ^= 0x01
    add("gz-bad-isize.pb.gz", bytes(b), "error", E("BadGzip", "gzip", n - 4, "length"),
        "heap.pb.gz with a wrong ISIZE (length mod 2^32) in the trailer")
    b = bytearray(heap_gz)
    b[1] = 0x8C
    add("magic-wrong-gzip.bin", bytes(b), "error", E("NotAProfile", "sniff", None, "1f 8c"),
        "heap.pb.gz with the second magic byte changed (1f 8c)")
    b = bytearray(heap_gz)
    b[2] = 7
    add("gz-method-7.gz", bytes(b), "error", E("BadGzip", "gzip", 2, "method 7"), "gzip header with CM=7")
    b = bytearray(heap_gz)
    b[3] = 0x20
    add("gz-reserved-flags.gz", bytes(b), "error", E("BadGzip", "gzip", 3, "flags"), "gzip header with FLG bit 5 set")
    add("gz-fextra-overrun.gz", b"\x1f\x8b\x08\x04\0\0\0\0\0\xff\xff\xff" + b"x" * 40, "error", E("TruncatedGzip", "gzip", 52),
        "gzip FEXTRA claims 65535 bytes, the file has 40")
    add("gz-fname-unterminated.gz", b"\x1f\x8b\x08\x08\0\0\0\0\0\xff" + b"name-without-nul" * 4, "error",
        E("TruncatedGzip", "gzip", 74), "gzip FNAME never NUL-terminated")
    add("gz-multi-member.pb.gz", gz(raw[:7000]) + gz(raw[7000:]), "ok", heap_ok,
        "heap protobuf split across two concatenated gzip members (RFC 1952 allows it)")
    add("gz-trailing-garbage.pb.gz", heap_gz + b"\0\0\0garbage after the gzip member", "ok", heap_ok,
        "heap.pb.gz followed by non-gzip bytes (ignored, like gzip(1))")
    add("gz-nested.pb.gz.gz", gz(heap_gz), "error", E("NotAProfile", "sniff", None, "gzip file inside a gzip file"),
        "heap.pb.gz gzipped a second time")

    # --- protobuf-level: inflate, damage, re-gzip
    fields = top_fields(raw)
    first_string = next(st for f, w, st, e in fields if f == 6)
    add("pb-trunc-before-strings.pb.gz", gz(raw[:first_string]), "error",
        E("Malformed", "model", None, "string table has 0 entries"),
        "heap protobuf cut at a field boundary just before the string table (Go writes it last)")
    strings = [(st, e) for f, w, st, e in fields if f == 6]
    add("pb-trunc-mid-strings.pb.gz", gz(raw[:strings[60][0]]), "error",
        E("Malformed", "model", None, "string table has 60 entries"),
        "heap protobuf cut at a field boundary after 60 of %d strings" % len(strings))
    mid = fields[len(fields) // 2]
    cut = mid[2] + (mid[3] - mid[2]) // 2
    # The field's length was read; its payload (from `payload`) runs past the cut.
    add("pb-trunc-mid-field.pb.gz", gz(raw[:cut]), "error", E("Protobuf", "wire", payload(raw, mid[2]), "past the end"),
        "heap protobuf cut in the middle of field %d (bytes %d..%d)" % (mid[0], mid[2], mid[3]))
    # The length after the tag is missing: the varint at byte 1.
    add("pb-trunc-1-byte.pb", raw[:1], "error", E("Protobuf", "wire", 1, "varint"),
        "first byte of the heap protobuf only (a valid tag, no value)")
    add("pb-trunc-last-byte.pb", raw[:-1], "error", E("Protobuf", "wire", payload(raw, fields[-1][2]), "past the end"),
        "heap protobuf without its last byte (raw, not gzipped)")
    # Targeted damage with known effects.
    st, e = next((st, e) for f, w, st, e in fields if f == 1)
    vt = raw[st + 2:e]
    assert vt[0] == 0x08 and vt[1] < 0x80, vt
    damaged = raw[:st] + fb(1, m_value_type(9999, 0) + vt[2:]) + raw[e:]
    add("pb-bad-sample-type-string.pb.gz", gz(damaged), "error", E("Malformed", "model", None, "sample type 0", "string 9999"),
        "heap protobuf with sample_type[0].type rewritten to string index 9999 (past the table)")
    b = bytearray(raw)
    loc = next((f, w, st, e) for f, w, st, e in fields if f == 4)
    # make field 4 (location) field 4 with wire type 3 (start group, deprecated): prost refuses it
    b[loc[2]] = (4 << 3) | 3
    # The key is read (one byte); the wire type is refused right after it.
    add("pb-flip-wire-type.pb.gz", gz(bytes(b)), "error", E("Protobuf", "wire", loc[2] + 1, "field 4", "wire type 3"),
        "heap protobuf with the first location's wire type changed from 2 to 3 (start group)")
    b = bytearray(raw)
    time_f = next((f, w, st, e) for f, w, st, e in fields if f == 9)
    # time_nanos (field 9, varint) → unknown field 30 (same wire type, 2-byte tag): skipped
    b[time_f[2]:time_f[2] + 1] = tag(30, 0)
    add("pb-unknown-field.pb.gz", gz(bytes(b)), "ok", heap_ok,
        "heap protobuf with time_nanos renumbered to unknown field 30 (unknown fields are skipped)")
    # Seeded random single-bit flips in the protobuf (re-gzipped): anything but a panic.
    rnd = random.Random(11)
    flips = []
    for k in range(6):
        pos = rnd.randrange(len(raw))
        bit = rnd.randrange(8)
        b = bytearray(raw)
        b[pos] ^= 1 << bit
        flips.append((k, pos, bit, bytes(b)))
    return flips


def heap_flip_rows(flips, outcomes):
    for (k, pos, bit, data), (outcome, expect) in zip(flips, outcomes):
        add("pb-flip-random-%d.pb.gz" % k, gz(data), outcome, expect,
            "heap protobuf with bit %d of byte %d flipped, re-gzipped (outcome recorded, must not panic)" % (bit, pos))


def simple():
    """A small valid profile to damage: main → handle → {parse, alloc}."""
    p = Prof(sample_types=(("alloc_space", "bytes"), ("inuse_space", "bytes")))
    p.add(["parse", "handle", "main"], [100, 10])
    p.add(["alloc", "handle", "main"], [200, 20])
    return p


def container_fixtures():
    add("empty.bin", b"", "error", E("Empty", "sniff", None, "empty"), "zero bytes")
    add("one-zero-byte.bin", b"\0", "error", E("NotAProfile", "sniff", None, "00"), "a single NUL byte")
    add("magic-png.bin", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "error", E("NotAProfile", "sniff", None, "PNG"),
        "PNG signature")
    add("magic-zip.bin", b"PK\x03\x04" + bytes(200), "error", E("NotAProfile", "sniff", None, "zip"),
        "zip local header ('P' = 0x50 is a valid protobuf tag: the zip magic is recognised before that)")
    add("magic-zstd.bin", b"\x28\xb5\x2f\xfd" + bytes(range(100)), "error", E("NotAProfile", "sniff", None, "zstd"),
        "zstd frame magic")
    add("magic-html.txt", b"<!DOCTYPE html><html><body>404 Not Found</body></html>\n", "error",
        E("NotAProfile", "sniff", None, "HTML"), "an HTML error page saved instead of a profile")
    rnd = random.Random(3)
    noise = bytes(rnd.randrange(256) for _ in range(4096))
    add("gz-random-text-head.gz", gz(b"\xff" + noise), "error", E("NotAProfile", "sniff", None, "ff"),
        "gzip of 4 KiB of random bytes starting with 0xff (not a protobuf tag)")
    add("gz-random-tag-head.gz", gz(b"\x0a" + noise), "error", E("Protobuf", "wire"),
        "gzip of 4 KiB of random bytes starting with 0x0a (a plausible first tag)")
    # Random bytes are not deflate data: inflate refuses them somewhere after the 10-byte header.
    add("gz-random-deflate.gz", b"\x1f\x8b\x08\x00\0\0\0\0\0\xff" + noise + bytes(8), "error", E("BadGzip", "gzip"),
        "gzip header followed by random bytes as deflate data")
    add("gz-empty.gz", gz(b""), "error", E("NotAProfile", "sniff", None, "no data"), "a valid gzip of zero bytes")
    add("raw-random.bin", b"\x0a" + noise, "error", E("Protobuf", "wire"),
        "4 KiB of random bytes starting with a plausible tag, not gzipped")
    add("bomb-1g.gz", bomb(1100 << 20), "error", E("TooLarge", "size", None, "512 MB"),
        "~1.1 MB gzip that inflates to 1100 MiB of zeros (deflate's ratio is ~1030:1, so "
        "more than 1 GiB cannot be much smaller); must stop at the max_bytes cap")


def bomb(size):
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    out = [b"\x1f\x8b\x08\x00\0\0\0\0\x02\xff"]
    chunk = bytes(1 << 20)
    crc = 0
    for _ in range(size >> 20):
        out.append(c.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    out.append(c.flush())
    out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(out)


def id_fixtures():
    # location → missing function
    p = Prof()
    f1 = p.func("main")
    p.location.append(m_location(1, [(f1, 1)]))
    p.location.append(m_location(2, [(99, 1)]))
    p.sample.append(m_sample([2, 1], [1]))
    add("ref-missing-function.pb", p.encode(), "error", E("Malformed", "model", None, "location 2", "function 99"),
        "location 2's line points at function id 99, which does not exist")
    # sample → missing location
    p = simple()
    p.sample.append(m_sample([77, 1], [5, 5]))
    add("ref-missing-location.pb", p.encode(), "error", E("Malformed", "model", None, "sample 2", "location 77"),
        "third sample's stack contains location id 77, which does not exist")
    # location → missing mapping (no lines): named <unknown>
    p = Prof()
    p.location.append(m_location(1, [], mapping_id=5, address=0x1234))
    p.sample.append(m_sample([1], [3]))
    add("ref-missing-mapping.pb", p.encode(), "ok", "samples=1; total=3; has(%3Cunknown%3E)",
        "an address-only location whose mapping id 5 does not exist: shown as <unknown>")
    # mapping names unsymbolized frames
    p = Prof()
    p.mapping.append(m_mapping(1, p.s("/usr/lib/x86_64-linux-gnu/libc.so.6"), 0x1000, 0x9000))
    p.location.append(m_location(1, [], mapping_id=1, address=0x1234))
    p.function.append(m_function(1, 0))
    p.location.append(m_location(2, [(1, 3)], mapping_id=1, address=0x2345))
    p.sample.append(m_sample([1, 2], [4]))
    add("names-from-mapping.pb", p.encode(), "ok", "samples=1; total=4; functions=1; cum(%5Blibc.so.6%5D)=4",
        "an address-only location and a function with an empty name: both named after the mapping")
    # string index out of range / negative
    p = simple()
    p.function.append(m_function(50, 999))
    add("ref-string-out-of-range.pb", p.encode(), "error", E("Malformed", "model", None, "function 50", "string 999"),
        "function 50's name is string 999; the table is shorter")
    p = Prof(sample_types=(("samples", "count"),))
    p.sample_type = [m_value_type(1, -1)]
    p.add(["main"], [1])
    add("ref-string-negative.pb", p.encode(), "error", E("Malformed", "model", None, "sample type 0", "string -1"),
        "a sample type unit with string index -1")
    p = simple()
    p.sample.append(m_sample(p.stack("main"), [1, 1], [m_label(p.s("k"), 4242)]))
    add("ref-label-string.pb", p.encode(), "error", E("Malformed", "model", None, "sample 2", "string 4242"),
        "a label's string value points past the string table")
    p = simple()
    p.head = fv(14, p.s("no_such_type"))
    add("ref-default-type-unknown.pb", p.encode(), "ok", "default=inuse_space; total=30",
        "default_sample_type names a type the profile lacks: the last type is the default (pprof's rule)")
    p = simple()
    p.head = fv(14, p.s("alloc_space"))
    add("default-type-first.pb", p.encode(), "ok", "default=alloc_space; total=300",
        "default_sample_type selects the first of two types")
    # duplicate ids
    p = simple()
    p.function.append(m_function(1, p.s("again")))
    add("dup-function-id.pb", p.encode(), "error", E("Malformed", "model", None, "function id 1"), "two functions with id 1")
    p = simple()
    p.location.append(m_location(2, [(1, 1)]))
    add("dup-location-id.pb", p.encode(), "error", E("Malformed", "model", None, "location id 2"), "two locations with id 2")
    p = simple()
    p.mapping += [m_mapping(7, p.s("a")), m_mapping(7, p.s("b"))]
    add("dup-mapping-id.pb", p.encode(), "error", E("Malformed", "model", None, "mapping id 7"), "two mappings with id 7")
    big = (1 << 64) - 1
    p = simple()
    p.location += [m_location(big, [(1, 1)]), m_location(big, [(2, 1)])]
    add("dup-location-id-huge.pb", p.encode(), "error", E("Malformed", "model", None, "location id %d" % big),
        "two locations with id 2^64-1 (sparse id map)")
    # id 0
    p = simple()
    p.function.append(m_function(0, p.s("zero")))
    add("id0-function-unused.pb", p.encode(), "ok", "samples=2; total=30; functions=4",
        "an extra function with the reserved id 0 that nothing references (pprof itself refuses it)")
    p = Prof()
    p.mapping.append(m_mapping(1, p.s("/bin/server")))
    p.location.append(m_location(1, [(0, 7)], mapping_id=1, address=0x10))
    p.sample.append(m_sample([1], [2]))
    add("id0-line-function.pb", p.encode(), "ok", "samples=1; total=2; cum(%5Bserver%5D)=2",
        "a location line with function_id 0 (no function): named after the mapping")
    p = simple()
    p.sample.append(m_sample([0], [1, 1]))
    add("id0-location-in-sample.pb", p.encode(), "error", E("Malformed", "model", None, "sample 2", "location 0"),
        "a sample whose stack contains location id 0")
    p = simple()
    p.location.append(m_location(0, [(1, 1)]))
    add("id0-location-unused.pb", p.encode(), "ok", "samples=2; total=30",
        "an extra location with id 0 that nothing references")
    # huge, sparse ids everywhere
    p = Prof()
    fid = [(1 << 63) + 5, (1 << 64) - 2]
    p.function += [m_function(fid[0], p.s("leaf")), m_function(fid[1], p.s("root"))]
    lid = [(1 << 64) - 1, 1 << 40]
    p.location += [m_location(lid[0], [(fid[0], 1)]), m_location(lid[1], [(fid[1], 1)])]
    p.sample.append(m_sample([lid[0], lid[1]], [9]))
    add("id-huge-sparse.pb", p.encode(), "ok", "samples=1; total=9; flat(leaf)=9; cum(root)=9",
        "function and location ids near 2^64 (sparse id maps)")


def structure_fixtures():
    # recursion: same function several times in one stack
    p = Prof(sample_types=(("cpu", "nanoseconds"),))
    p.add(["a", "b", "a", "b", "a", "main"], [10])
    p.add(["c", "main"], [5])
    p.add(["a", "a", "a", "a"], [1])
    add("recursion.pb", p.encode(), "ok",
        "samples=3; total=16; flat(a)=11; cum(a)=11; cum(b)=10; cum(main)=15; flat(c)=5; max_depth=6",
        "recursive stacks (a→b→a→b→a): each function counts once per sample in cum")
    # 100,000 frames deep: a cycle of 1000 functions repeated 100 times
    p = Prof(sample_types=(("cpu", "nanoseconds"),))
    names = ["pkg.f%03d" % i for i in range(1000)]
    ids = p.stack(*names)
    p.sample.append(m_sample(ids * 100, [7]))
    p.add(["pkg.f000"], [3])
    add("deep-100k.pb.gz", gz(p.encode()), "ok",
        "samples=2; total=10; max_depth=100000; cum(pkg.f000)=10; flat(pkg.f000)=10; cum(pkg.f999)=7; "
        "flame_depth=100000; flame_nodes=100002",
        "one stack 100,000 frames deep (1000 functions, 100 rounds of recursion) plus a 1-frame stack")
    # 100,000 frames through inline expansion: 10,000 distinct functions in one location,
    # referenced 10 times by one sample
    p = Prof(sample_types=(("samples", "count"),))
    fids = [p.func("f%04x" % i) for i in range(10_000)]
    p.location.append(m_location(1, [(f, 1) for f in fids]))  # one location, 10k inline frames
    p.sample.append(m_sample([1] * 10, [1]))
    add("deep-100k-inline.pb.gz", gz(p.encode(), 9), "ok",
        "samples=1; total=1; functions=10000; max_depth=100000; cum(f0000)=1; flat(f0000)=1; cum(f270f)=1; "
        "flame_depth=100000; flame_nodes=100001",
        "one stack of 100,000 frames: 10 references to a location with 10,000 inline lines (distinct functions)")
    # deeper than the limit (2^20 frames) through inline expansion: 1025 × 1024 frames
    p = Prof()
    fids = [p.func("g%d" % i) for i in range(1024)]
    p.location.append(m_location(1, [(f, 1) for f in fids]))
    p.sample.append(m_sample([1] * 1025, [1]))
    add("deep-over-limit.pb.gz", gz(p.encode(), 9), "error", E("Limit", "limit", None, "stack depth", "1048576"),
        "one stack of 1025 references to a location with 1024 inline lines = 1,049,600 frames")
    # negative / zero / extreme values
    p = Prof(sample_types=(("inuse_space", "bytes"),))
    p.add(["neg", "main"], [-5])
    p.add(["zero", "main"], [0])
    p.add(["pos", "main"], [7])
    p.add(["neg", "main"], [-2])
    add("values-negative-zero.pb", p.encode(), "ok",
        "samples=4; total=14; flat(neg)=-7; flat(pos)=7; cum(main)=0",
        "negative, zero and positive values (diff-like): total is the sum of |v|")
    p = Prof(sample_types=(("inuse_space", "bytes"),))
    p.add(["max1"], [(1 << 63) - 1])
    p.add(["max2"], [(1 << 63) - 1])
    p.add(["min"], [-(1 << 63)])
    add("values-extreme.pb", p.encode(), "ok", "samples=3; types=1",
        "i64::MAX twice and i64::MIN: sums overflow (wrapping, never a panic)")
    p = Prof(sample_types=(("alloc_space", "bytes"), ("inuse_space", "bytes")))
    add("empty-profile.pb", p.encode(), "ok", "samples=0; types=2; total=0",
        "sample types but no samples: an empty profile")
    add("empty-profile.pb.gz", gz(p.encode()), "ok", "samples=0; types=2; total=0", "the same, gzipped")
    p = Prof(sample_types=())
    p.add(["main"], [])
    add("no-sample-types.pb", p.encode(), "error", E("Malformed", "model", None, "no sample types"),
        "a sample with a stack but the profile has no sample types")
    p = Prof(sample_types=())
    p.add(["main"], [1])
    add("no-sample-types-values.pb", p.encode(), "error", E("Malformed", "model", None, "no sample types"),
        "a sample with one value but no sample types")
    p = Prof(sample_types=())
    p.head = fv(9, 1700000000_000000000)
    add("no-sample-types-no-samples.pb", p.encode(), "error", E("NotAProfile", "sniff", None, "no sample types", "no samples"),
        "only a time and a string table")
    p = simple()
    p.sample.append(m_sample(p.stack("main"), [1]))
    add("values-count-mismatch.pb", p.encode(), "error", E("Malformed", "model", None, "sample 2", "1 values", "2 sample types"),
        "a sample with fewer values than sample types")
    p = simple()
    p.sample.append(m_sample([], [5, 5]))
    add("empty-stack.pb", p.encode(), "ok", "samples=3; total=35; cum(main)=30",
        "a sample with no locations: counts in the total, in no function")
    p = simple()
    p.strings[0] = b"not-empty"
    add("strings-first-not-empty.pb", p.encode(), "ok", "samples=2; total=30; default=inuse_space",
        "string_table[0] is \"not-empty\": pprof refuses (\"string_table[0] must be ''\"), profdrop reads it")
    p = Prof(sample_types=(("samples", "count"),), strings=[])
    p.sample_type = [m_value_type(0, 0)]
    p.sample.append(m_sample([], [4]))
    add("strings-no-table.pb", p.encode(), "ok", "samples=1; total=4",
        "no string table at all; every string index is 0 (the empty string)")
    p = simple()
    add("strings-first.pb", p.encode(strings_last=False), "ok", "samples=2; total=30; cum(main)=30",
        "string table written before everything else (field order does not matter)")
    # drop_frames / keep_frames
    p = simple()
    p.head = fv(7, p.s("("))
    add("drop-frames-bad-regex.pb", p.encode(), "error", E("Malformed", "model", None, "drop_frames"),
        "drop_frames is \"(\"")
    p = simple()
    p.head = fv(7, p.s("(((a{100}){100}){100})"))
    add("drop-frames-huge-regex.pb", p.encode(), "error", E("Malformed", "model", None, "drop_frames"),
        "drop_frames is a regex that expands to a million states")
    p = Prof(sample_types=(("samples", "count"),))
    p.add(["runtime.mallocgc", "runtime.newobject", "main.alloc", "main.main"], [3])
    p.head = fv(7, p.s("runtime\\..*")) + fv(8, p.s("runtime\\.newobject"))
    add("drop-frames-prunes.pb", p.encode(), "ok",
        "samples=1; total=3; flat(runtime.newobject)=3; cum(main.main)=3; max_depth=3",
        "drop_frames runtime\\..* with keep_frames runtime\\.newobject: mallocgc is pruned")


def name_fixtures():
    p = Prof(sample_types=(("samples", "count"),))
    html = ["<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>",
            "\"'&amp;<b>bold</b>", "javascript:alert(1)", "${7*7}{{7*7}}"]
    p.add(html + ["main"], [2])
    exp = "; ".join("has(%s)" % pct(h) for h in html)
    add("names-html.pb", p.encode(), "ok", "samples=1; total=2; " + exp + "; flat(%s)=2" % pct(html[0]),
        "function names that are HTML/JS/template injection attempts (they are text)")
    p = Prof(sample_types=(("samples", "count"),))
    ctrl = [b"nul\x00byte", bytes(range(1, 32)), b"del\x7fdel", b"esc\x1b[31mred\x1b[0m",
            "rtl\u202eevil\u202c".encode(), b"line\r\nbreak", b"tab\there", "zero\u200bwidth".encode()]
    p.add(ctrl, [1])
    add("names-control.pb", p.encode(), "ok", "samples=1; total=1; functions=8; " +
        "; ".join("has(%s)" % pct(c) for c in ctrl),
        "names with NUL, C0 controls, DEL, ANSI escapes, U+202E, CR LF, TAB, zero-width space")
    p = Prof(sample_types=(("samples", "count"),))
    bad = [b"\xff\xfe", b"over\xc0\xaflong", b"sur\xed\xa0\x80rogate", b"trunc\xe2\x82", b"\x80cont"]
    p.add(bad, [1])
    shown = [b.decode("utf-8", "replace") for b in bad]
    add("names-invalid-utf8.pb", p.encode(), "ok", "samples=1; functions=5; " +
        "; ".join("has(%s)" % pct(b) for b in bad) + "; " + "; ".join("shown(%s)" % pct(s) for s in shown),
        "invalid UTF-8 names: kept raw, displayed with U+FFFD")
    p = Prof(sample_types=(("samples", "count"),))
    long_name = ("pkg.Long" + "x" * 102400)[:102400]
    p.add([long_name, "main"], [6])
    p.function[0] = m_function(1, p.s(long_name), p.s("/" + "d" * 50000 + "/file.go"))
    add("names-100k.pb.gz", gz(p.encode()), "ok", "samples=1; total=6; longest_name=102400; cum(main)=6",
        "a 100 KiB function name and a 50 KiB file name")
    p = Prof(sample_types=(("samples\x00", "by\xfftes"),))
    p.add(["main"], [1])
    p.comment = [p.s(b"<script>alert(1)</script>"), p.s(b"\xff\xfe")]
    p.head = fv(15, p.s("javascript:alert(1)"))
    add("names-hostile-metadata.pb", p.encode(), "ok", "samples=1; total=1",
        "hostile sample type name/unit, comments and doc_url")


def label_fixtures():
    p = Prof(sample_types=(("samples", "count"),))
    labels = []
    for i in range(4096):
        if i % 2:
            labels.append(m_label(p.s("key%d" % i), p.s("value <%d> \x01" % i)))
        else:
            labels.append(m_label(p.s("num%d" % i), 0, i - 2048, p.s("bytes")))
    p.add(["main"], [1], labels)
    p.add(["main"], [1], labels[:3])
    p.add(["main"], [1], labels[:3])
    add("labels-heavy.pb", p.encode(), "ok", "samples=3; total=3; labels=4096",
        "one sample with 4096 labels (the limit), string and numeric with units, two sharing a set")
    p = Prof(sample_types=(("samples", "count"),))
    labels = [m_label(p.s("k"), p.s("v%d" % i)) for i in range(4097)]
    p.add(["main"], [1], labels)
    add("labels-over-limit.pb", p.encode(), "error", E("Limit", "limit", None, "labels on sample 0", "4096"),
        "one sample with 4097 labels")


def text_fixtures():
    d1 = (b"goroutine profile: total 6\n"
          b"3 @ 0x438a56 0x40641b 0x4ee414 0x465dc1\n"
          b"# labels: {\"request\":\"<img src=x onerror=alert(1)>\", \"user\":\"42\"}\n"
          b"#\t0x43\truntime.gopark+0xd6\t/go/src/runtime/proc.go:363\n"
          b"#\t0x4ee413\tmain.worker+0x73\t/src/main.go:172\n"
          b"\n"
          b"2 @ 0x438a56 0x44881c\n"
          b"#\t0x4ee595\tmain.acceptLoop+0x75\t/src/main.go:181\n"
          b"#\t0x4ee413\tmain.worker+0x73\t/src/main.go:172\n"
          b"\n"
          b"1 @ 0x1\n")
    add("text-debug1-valid.txt", d1, "ok",
        "samples=3; total=6; cum(main.worker)=5; flat(runtime.gopark)=3; flat(%3Cunknown%3E)=1; labels=2; format~debug=1",
        "a goroutine debug=1 dump: labels with HTML, a record without frames")
    add("text-debug1-crlf-bom.txt", b"\xef\xbb\xbf" + d1.replace(b"\n", b"\r\n"), "ok",
        "samples=3; total=6; cum(main.worker)=5",
        "the same with a UTF-8 BOM and CRLF line endings")
    lines = d1.split(b"\n")
    garbage = b"\n".join(lines[:5] + [b"this line is garbage"] + lines[5:])
    add("text-debug1-garbage.txt", garbage, "error", E("Text", "text", 6),
        "debug=1 dump with a garbage line")
    add("text-debug1-bad-count.txt", b"goroutine profile: total 1\nmany @ 0x1\n#\t0x1\tmain.f+0x1\t/x.go:1\n",
        "error", E("Text", "text", 2, "count"), "debug=1 record count is not a number")
    add("text-debug1-huge-count.txt",
        b"goroutine profile: total 1\n99999999999999999999999 @ 0x1\n#\t0x1\tmain.f+0x1\t/x.go:1\n",
        "error", E("Text", "text", 2, "count"), "debug=1 record count overflows i64")
    add("text-debug1-binary.txt", b"goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tmain.\xff\xfe\x00f\t/x.go:1\n\x00\x01\x02\n",
        "error", E("Text", "text", 4), "debug=1 dump with invalid UTF-8 in a name and a line of binary junk")
    d2 = (b"goroutine 1 [running]:\n"
          b"main.main()\n"
          b"\t/src/main.go:10 +0x25\n"
          b"\n"
          b"goroutine 18 [chan receive, 5 minutes]:\n"
          b"main.waitForever(0xc000012345)\n"
          b"\t/src/main.go:20 +0x45\n"
          b"created by main.startWorker in goroutine 1\n"
          b"\t/src/main.go:15 +0x56\n"
          b"\n"
          b"goroutine 19 [select, locked to thread]:\n"
          b"main.(*T).</script>(...)\n"
          b"\t/src/t.go:3\n"
          b"main.run()\n"
          b"\t/src/t.go:9 +0x1\n"
          b"...additional frames elided...\n"
          b"\n"
          b"goroutine 20 [chan receive, 7 minutes]:\n"
          b"main.waitForever(0xc000099999)\n"
          b"\t/src/main.go:20 +0x45\n"
          b"created by main.startWorker in goroutine 1\n"
          b"\t/src/main.go:15 +0x56\n")
    add("text-debug2-valid.txt", d2, "ok",
        "samples=4; total=4; goroutines=4; cum(main.waitForever)=2; has(main.%28%2AT%29.%3C/script%3E); format~debug=2",
        "a goroutine debug=2 dump: states, minutes, created by, elided frames, HTML in a name")
    add("text-debug2-garbage.txt", d2.replace(b"\t/src/t.go:3\n", b"\t/src/t.go:3\n\t/stray/file.go:1\n"), "error",
        E("Text", "text", 14, "file line"), "debug=2 dump with two file lines in a row")
    add("text-debug2-after-created-by.txt",
        d2.replace(b"\t/src/main.go:15 +0x56\n\n", b"\t/src/main.go:15 +0x56\nmain.oops()\n\n", 1),
        "error", E("Text", "text", 10, "created by"), "debug=2 dump with a frame after \"created by\"")
    add("text-debug2-no-goroutines.txt", b"goroutine 1 [running\nmain.main()\n", "error", E("NotAProfile", "sniff", None, "goroutine 1"),
        "looks like a debug=2 dump, but no goroutine header is complete")
    add("text-debug2-panic.txt", b"panic: boom\n\n" + d2, "ok", "samples=4; goroutines=4",
        "a panic traceback: \"panic: …\" and a blank line before the goroutines (text.rs says it skips it)")
    add("text-debug2-invalid-utf8.txt",
        b"goroutine 1 [running]:\nmain.\xff\xfe(0x1)\n\t/x.go:1\n\ngoroutine 2 [\xc0\xaf]:\nmain.g()\n\t/x.go:2\n",
        "ok", "samples=2; goroutines=2; has(main.%EF%BF%BD%EF%BF%BD)",
        "debug=2 dump with invalid UTF-8 in a function name and a state")
    deep = b"goroutine 1 [running]:\n" + b"".join(b"main.f%d()\n\t/x.go:%d\n" % (i, i) for i in range(20000))
    add("text-debug2-deep.txt.gz", gz(deep, 9), "ok", "samples=1; max_depth=20000; flame_depth=20000",
        "a gzipped debug=2 dump with a 20,000-frame goroutine")


def amplification_fixtures():
    """Small files whose naive decoding takes gigabytes: one string or location referenced
    many times and copied for each reference. tests/hostile.rs checks every fixture's peak
    heap (1 GiB budget). Mapping names, comments and function files must load (share the
    string); label text, inline frames and table sizes must fail with a limit error."""
    big = b"/" + b"x" * (100 * 1024 - 1)  # a 100 KiB string
    p = simple()
    fn = p.s(big)
    p.mapping += [m_mapping(i + 1, fn) for i in range(20000)]
    add("amp-mapping-names.pb.gz", gz(p.encode(), 9), "ok", "samples=2; total=30; cum(main)=30",
        "20,000 mappings whose file name is one 100 KiB string (~2 GB if each mapping copies it)")
    p = simple()
    fn = p.s(big)
    p.comment = [fn] * 20000
    add("amp-comments.pb.gz", gz(p.encode(), 9), "ok", "samples=2; total=30",
        "20,000 comments that are all one 100 KiB string (~2 GB if each is copied)")
    p = Prof(sample_types=(("samples", "count"),))
    v = p.s(big)
    for s in range(3):
        labels = [m_label(p.s("k%d" % i), v) for i in range(4095)] + [m_label(p.s("n"), 0, s)]
        p.add(["main"], [1], labels)
    add("amp-label-values.pb.gz", gz(p.encode(), 9), "error", E("Limit", "limit", None, "label text"),
        "3 samples × 4096 labels whose value is one 100 KiB string (~1.2 GB of label text if copied): "
        "a label text limit")
    p = Prof(sample_types=(("samples", "count"),))
    f = p.s(big)
    for i in range(20000):
        p.function.append(m_function(i + 1, p.s("f%d" % i), f))
    p.location.append(m_location(1, [(i + 1, 1) for i in range(20000)]))
    p.sample.append(m_sample([1], [1]))
    add("amp-function-files.pb.gz", gz(p.encode(), 9), "ok", "samples=1; total=1; functions=20000",
        "20,000 used functions whose file is one 100 KiB string (~2 GB if each copies it)")
    p = Prof(sample_types=(("samples", "count"),))
    fids = [p.func("h%d" % i) for i in range(1000)]
    p.location.append(m_location(1, [(f, 1) for f in fids]))
    p.next_loc = 2
    for s in range(200):
        lid = p.loc("leaf%d" % s)
        p.sample.append(m_sample([lid] + [1] * 1000, [1]))
    add("amp-inline-frames.pb.gz", gz(p.encode(), 9), "error", E("Limit", "limit", None, "frames in distinct stacks"),
        "200 distinct stacks of 1,000,001 frames (a 1000-line location referenced 1000 times): "
        "200 M frames (~1.6 GB of stacks) from a 1 KB-per-sample file")
    p = Prof(sample_types=(("samples", "count"),))
    head = p.encode()
    n = 50_000_001
    add("amp-empty-messages.pb.gz", gz_repeat(head, b"\x2a\x00", n), "error",
        E("Limit", "limit", None, "function table", "8000000"),
        "50,000,001 empty Function messages (2 bytes each, 100 MB inflated): over max_entries, "
        "which must be noticed before ~2 GB of structs are built")


def gz_repeat(head, unit, n):
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    out = [b"\x1f\x8b\x08\x00\0\0\0\0\x02\xff", c.compress(head)]
    crc = zlib.crc32(head)
    block = unit * (1 << 16)
    left = n
    while left:
        k = min(left, 1 << 16)
        chunk = block if k == (1 << 16) else unit * k
        out.append(c.compress(chunk))
        crc = zlib.crc32(chunk, crc)
        left -= k
    out.append(c.flush())
    out.append(struct.pack("<II", crc, (len(head) + len(unit) * n) & 0xFFFFFFFF))
    return b"".join(out)


def million_functions():
    """1,000,000 distinct functions, 1000 locations of 1000 inline lines each, 1000 samples."""
    strings = [b""]
    out = []
    n_f = 1_000_000
    strings += [b"samples", b"count"]
    out.append(fb(1, m_value_type(1, 2)))
    base = len(strings)
    for i in range(n_f):
        strings.append(b"f%x" % i)
    for i in range(n_f):
        out.append(fb(5, m_function(i + 1, base + i)))
    for l in range(1000):
        out.append(fb(4, m_location(l + 1, [(l * 1000 + k + 1, 0) for k in range(1000)])))
    for l in range(1000):
        out.append(fb(2, m_sample([l + 1], [l + 1])))
    out += [fb(6, s) for s in strings]
    data = b"".join(out)
    total = sum(range(1, 1001))
    add("funcs-1m.pb.gz", gz(data, 9), "ok",
        "samples=1000; functions=1000000; total=%d; max_depth=1000; flat(f0)=1; cum(f3e7)=1; flat(f3e8)=2; "
        "cum(f%x)=1000" % (total, n_f - 1),
        "1,000,000 distinct functions (1000 locations × 1000 inline lines), 1000 samples")


def cpu_words(fmt, words):
    """A legacy binary CPU profile's words, packed with struct format `fmt` (e.g. '<I')."""
    return b"".join(struct.pack(fmt, w) for w in words)


def legacy_fixtures():
    """pprof's legacy formats (src/decode/legacy*.rs). The `ok` numbers are what
    `go tool pprof -symbolize=none -trim=false -top` prints for the fixture (run by hand when
    the row was written); the errors name the line or byte the fixture breaks."""
    # Built (before profdrop read legacy files) to check that Go's legacy heap text was
    # refused with a clear message. Now profdrop reads it as pprof does: one record, its
    # four values un-sampled at 1048576/2 bytes (pprof's scaleHeapSample), two addresses
    # without a mapping named <unknown>.
    add("legacy-heap-text.txt", b"heap profile: 1: 2048 [3: 4096] @ heap/1048576\n1: 2048 [3: 4096] @ 0x1 0x2\n",
        "ok", "samples=1; types=4; default=inuse_space; total=525312; cum(<unknown>)=525312; format~legacy heap",
        "Go legacy heap text (debug=1): pprof's inuse_space 525312 (2048 un-sampled at 524288)")
    add("legacy-heap-text.txt.gz", gz(b"heap profile: 1: 2048 [3: 4096] @ heap/1048576\n1: 2048 [3: 4096] @ 0x1 0x2\n"),
        "ok", "samples=1; types=4; default=inuse_space; total=525312; cum(<unknown>)=525312; format~(gzip)",
        "legacy-heap-text.txt gzipped: what the gzip holds is sniffed again (pprof reads it alike)")
    add("legacy-heap-empty-stack.txt",
        b"heap profile: 2: 3072 [2: 3072] @ heapprofile\n1: 1024 [1: 1024] @ 0x10\n1: 2048 [1: 2048] @\n",
        "ok", "samples=2; types=2; total=3072; cum(<unknown>)=1024; functions=1",
        "a record with no address (heapprofile: no un-sampling): in the total (3072), in no function (<unknown> 1024)")
    add("legacy-heap-huge-count.txt",
        b"heap profile: 1: 1 [1: 1] @ heap/1048576\n99999999999999999999: 1 [1: 1] @ 0x1\n",
        "error", E("Text", "text", 2, "99999999999999999999"), "a count over 2^63: refused at its line")
    add("legacy-heap-garbage.txt", b"heap profile: 1: 1 [1: 1] @ heap/1048576\n1: 1 [1: 1] @ 0x1\n\x00\xffgarbage\n",
        "error", E("Text", "text", 3), "a line that is no heap record")
    add("legacy-heap-zero-count.txt", b"heap profile: 1: 1 [1: 1] @ heap_v2/524288\n0: 5 [0: 5] @ 0x1\n",
        "error", E("Text", "text", 2, "count was 0"), "0 objects of 5 bytes: pprof refuses it too")
    add("legacy-heap-address-overflow.txt", b"heap profile: 1: 1 [1: 1] @ heap/1048576\n1: 1 [1: 1] @ 0x1ffffffffffffffff\n",
        "error", E("Text", "text", 2, "64 bits"), "an address of 65 bits")
    add("legacy-heap-huge-size.txt",
        b"heap profile: 1: 1 [1: 1] @ heap/1048576\n1: 9223372036854775807 [1: 9223372036854775807] @ 0x1\n",
        "ok", "samples=1; types=2; total=-9223372036854775808",
        "a block of 2^63-1 bytes: un-sampling overflows int64; pprof (amd64) gets -2^63, so does profdrop")
    le32 = "<I"
    head = cpu_words(le32, [0, 3, 0, 10000, 0])
    add("legacy-cpu-depth-over-file.bin", head + cpu_words(le32, [1, 1000, 0x1000]), "error",
        E("Malformed", "model", None, "byte 20", "1000 frames"), "a record claiming 1000 frames with 4 bytes left")
    add("legacy-cpu-cut-record.bin", head + cpu_words(le32, [5]) + b"\x01\x00", "error",
        E("Malformed", "model", None, "byte 20", "cut short"), "the file ends inside a record's depth word")
    add("legacy-cpu-huge-depth.bin", head + cpu_words(le32, [1, 0xffffffff]), "error",
        E("Malformed", "model", None, "4294967295 frames"), "a depth of 2^32-1")
    add("legacy-cpu-no-trailer.bin", head + cpu_words(le32, [7, 2, 0x1000, 0x2001]), "ok",
        "samples=1; types=2; default=cpu; total=70000000; cum(<unknown>)=70000000",
        "no trailer and no memory map: the samples still count (7 x 10 ms)")
    be64 = ">Q"
    data = cpu_words(be64, [0, 3, 0, 5000, 0, 3, 2, 0x401000, 0x402001, 1, 1, 0x7f0000001000, 0, 1, 0])
    data += b"00400000-00500000 r-xp 00000000 08:01 1 /usr/bin/server\n7f0000000000-7f0000100000 r-xp 00000000 08:01 2 /lib/libc.so.6\n"
    add("legacy-cpu-64be.bin", data, "ok",
        "samples=2; types=2; default=cpu; total=20000000; cum([server])=15000000; flat([libc.so.6])=5000000",
        "64-bit big-endian words, a memory map: frames named after their mapping")
    add("legacy-contention-garbage.txt", b"--- contentionz 1 ---\ncycles/second = 3000000000\nsampling period = 100\n12 1 @ 0x1\nnot a sample\n",
        "error", E("Text", "text", 5, "not a sample"), "a line that is no contention record")
    add("legacy-contention-unknown-attribute.txt", b"--- mutex:\nflavour = strawberry\n1 1 @ 0x1\n",
        "error", E("Text", "text", 2, "flavour"), "an attribute pprof does not know")
    add("legacy-java-heap-zero-count.txt", b"--- heapz 1 ---\nformat = java\nresolution = bytes\n  100 0 @ 0x1\n",
        "error", E("Text", "text", 4, "must not be 0"), "a Java heap record of 0 objects")
    add("legacy-java-no-resolution.txt", b"--- heapz 1 ---\nformat = java\n  100 1 @ 0x1\n",
        "error", E("Text", "text", None, "resolution"), "no resolution attribute: no sample types")
    data = cpu_words(le32, [0, 3, 1, 10000, 0, 2, 2, 0x3, 0x4, 0, 1, 0])
    data += b"\xff\xfe garbage\n 0x3 com.example.Leaf (Leaf.java:7)\n0xzz nonsense\n"
    add("legacy-java-cpu-garbage-symbols.bin", data, "ok",
        "samples=1; types=2; total=20000000; flat(com.example.Leaf)=20000000; cum(<unknown>)=20000000",
        "a Java CPU profile whose symbol table has garbage lines (skipped) and misses one address")


def formats_fixtures():
    """The other profilers' formats (src/decode/{folded,perf,speedscope,chrome,json}.rs).
    The `ok` numbers are the files' own sums, built in."""
    import json
    good = b"main;a;b 1\n" * 500  # 5500 bytes: past the 4096 the sniffer reads
    add("folded-bad-count.folded", good + b"main;a;b x\n", "error", E("Text", "text", 501, "a count"),
        "folded stacks whose line 501 ends in no count (beyond what the sniffer reads)")
    add("folded-negative-count.folded", good + b"main;a -3\n", "error", E("Text", "text", 501, "-3"),
        "a negative count")
    add("folded-total-overflow.folded", b"a 9223372036854775807\nb 1\n", "error", E("Limit", "limit", None, "total of samples"),
        "counts whose sum overflows an int64")
    add("folded-deep.folded.gz", gz(b";".join([b"f"] * 100_000) + b" 3\n"), "ok",
        "samples=1; total=3; max_depth=100000; cum(f)=3; flame_depth=100000",
        "one stack of 100,000 frames (a recursion)")
    add("folded-markup-names.folded", b"<script>alert(1)</script>;<img src=x onerror=alert(2)> 4\n\xff\xfe;a 2\n", "ok",
        "samples=2; total=6; flat(%3Cimg%20src%3Dx%20onerror%3Dalert(2)%3E)=4; has(%FF%FE); shown(\ufffd\ufffd)",
        "names with markup (shown as text) and invalid UTF-8 (U+FFFD)")
    add("folded-empty-frames.folded", b";;a;;b; 2\n 5\n", "ok", "samples=2; total=7; flat(b)=2; cum(a)=2",
        "empty frames between ;s are skipped; a line of only a count is a frameless sample")
    add("perf-garbage.perf", b"prog 1 1.0: cycles:\n\t1 f (/bin/x)\n\t\x00\xff nonsense\n\t2 main (/bin/x)\n\nnot an event line at all\n\t3 g (/bin/x)\n\n", "ok",
        "samples=1; total=1; cum(main)=1; flat(f)=1",
        "perf script with a line that is no frame (skipped) and a stack after a line that is no event (dropped with it, as inferno drops it)")
    add("perf-deep.perf.gz", gz(b"prog 1 1.0: cycles:\n" + b"\t1 f (/bin/x)\n" * 20_000 + b"\n"), "ok",
        "samples=1; total=1; max_depth=20001; cum(f)=1",
        "a call chain of 20,000 frames under its comm frame")
    node = lambda i, name, children: {"id": i, "callFrame": {"functionName": name, "url": "x.js", "lineNumber": 0}, "children": children}
    cpu = lambda nodes, samples, deltas: json.dumps({"nodes": nodes, "startTime": 0, "endTime": 100, "samples": samples, "timeDeltas": deltas}).encode()
    add("cpuprofile-cycle.cpuprofile", cpu([node(1, "a", [2]), node(2, "b", [1])], [2], [1]), "error",
        E("Malformed", "model", None, "cycle"), "nodes that are each other's parent")
    add("cpuprofile-two-parents.cpuprofile", cpu([node(1, "(root)", [2, 3]), node(2, "a", [3]), node(3, "b", [])], [3], [1]),
        "error", E("Malformed", "model", None, "two parents"), "a node listed as the child of two nodes")
    add("cpuprofile-unknown-sample.cpuprofile", cpu([node(1, "(root)", [])], [7], [1]), "error",
        E("Malformed", "model", None, "sample 0", "node 7"), "a sample of a node id that does not exist")
    add("cpuprofile-huge-delta.cpuprofile", cpu([node(1, "(root)", [2]), node(2, "a", [])], [2, 2], [1, 1e300]), "error",
        E("Malformed", "model", None, "lasts"), "a time delta of 1e300 us")
    add("cpuprofile-deltas-mismatch.cpuprofile", cpu([node(1, "(root)", [2]), node(2, "a", [])], [2, 2], [1]), "error",
        E("Malformed", "model", None, "2 samples but 1 timeDeltas"), "fewer timeDeltas than samples")
    add("cpuprofile-backwards.cpuprofile", cpu([node(1, "(root)", [2, 3]), node(2, "a", []), node(3, "b", [])], [2, 3, 2], [50, -40, 20]), "ok",
        "samples=2; types=2; default=cpu; total=90000; flat(a)=70000; flat(b)=20000",
        "timestamps 50, 10, 30 (a negative delta): ordered by time as DevTools does; b 10..30, a 30..50 and 50..100 (endTime)")
    add("cpuprofile-truncated.cpuprofile", cpu([node(1, "(root)", [])], [1], [1])[:40], "error",
        E("Malformed", "model", None, "invalid JSON", "unterminated string"), "a cpuprofile cut after 40 bytes (inside a string)")
    deep = b'{"head":' + b'{"callFrame":{"functionName":"f"},"selfSize":0,"children":[' * 50_000
    deep += b'{"callFrame":{"functionName":"leaf"},"selfSize":64,"children":[]}' + b"]}" * 50_000 + b',"samples":[]}'
    add("heapprofile-deep.heapprofile.gz", gz(deep), "ok", "samples=1; total=64; max_depth=50001; flat(leaf)=64; cum(f)=64",
        "a heap profile nested 50,000 nodes deep (read without recursion)")
    add("heapprofile-negative.heapprofile", b'{"head":{"callFrame":{"functionName":"(root)"},"selfSize":-5,"children":[]}}', "error",
        E("Malformed", "model", None, "selfSize -5"), "a negative selfSize")
    ss = lambda profiles: json.dumps({"$schema": "https://www.speedscope.app/file-format-schema.json", "shared": {"frames": [{"name": "a"}, {"name": "<b>bold</b>"}]}, "profiles": profiles}).encode()
    add("speedscope-bad-frame.json", ss([{"type": "sampled", "unit": "none", "samples": [[0, 9]], "weights": [1]}]), "error",
        E("Malformed", "model", None, "frame index 9"), "a sample naming frame 9 of 2")
    add("speedscope-unbalanced.json", ss([{"type": "evented", "unit": "none", "events": [{"type": "O", "frame": 0, "at": 0}, {"type": "C", "frame": 1, "at": 1}]}]), "error",
        E("Malformed", "model", None, "closes frame 1"), "an evented profile closing a frame it did not open last")
    add("speedscope-overflow.json", ss([{"type": "sampled", "unit": "bytes", "samples": [[0]] * 2000, "weights": [9e15] * 2000}]), "error",
        E("Limit", "limit", None, "total of space"), "weights whose sum overflows an int64")
    add("speedscope-markup.json", ss([{"type": "sampled", "name": "<i>t</i>", "unit": "none", "samples": [[0, 1], [1]], "weights": [2, 3]}]), "ok",
        "samples=2; total=5; flat(%3Cb%3Ebold%3C/b%3E)=5; cum(a)=2",
        "a frame named with markup, shown as text")
    add("json-trace.json", b'{"traceEvents":[{"name":"ProfileChunk"}]}', "error", E("NotAProfile", "sniff", None, "trace", ".cpuprofile"),
        "a Chrome trace (Performance panel), which profdrop does not read: the message says what to save instead")
    add("json-other.json", b'{"hello": "world"}', "error", E("NotAProfile", "sniff", None, "speedscope", "folded stacks"),
        "JSON in no format profdrop reads: the message lists what it reads")


def main():
    flips = heap_fixtures()
    container_fixtures()
    legacy_fixtures()
    formats_fixtures()
    id_fixtures()
    structure_fixtures()
    name_fixtures()
    label_fixtures()
    text_fixtures()
    amplification_fixtures()
    million_functions()
    heap_flip_rows(flips, FLIP_OUTCOMES)

    keep = {"gen.py"} | {r[0] for r in REGRESS}
    for f in os.listdir(HERE):
        if f not in keep and not f.startswith("regress-") and os.path.isfile(os.path.join(HERE, f)):
            os.remove(os.path.join(HERE, f))
    names = set()
    for name, data, *_ in FIX:
        assert name not in names, name
        names.add(name)
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
    with open(os.path.join(HERE, "expected.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("file\toutcome\tkind\tstage\tat\texpect\tnote\n")
        for name, _, outcome, cols, note in FIX:
            f.write("\t".join((name, outcome) + cols + (note,)) + "\n")
        for row in REGRESS:
            f.write("\t".join(row) + "\n")
    total = sum(len(d) for _, d, *_ in FIX)
    big = [(n, len(d)) for n, d, *_ in FIX if len(d) > 200_000]
    print("%d fixtures, %d bytes; over 200 KB: %s" % (len(FIX), total, big), file=sys.stderr)


# Outcomes of the seeded random protobuf bit flips (pb-flip-random-K), recorded after
# checking each one by hand. (outcome, expect)
FLIP_OUTCOMES = [
    ("error", E("Protobuf", "wire")),  # a sample's length now runs past its parent
    ("ok", "types=4; samples=306"),  # a value or name changed: still a valid profile
    ("error", E("Protobuf", "wire")),
    ("ok", "types=4; samples=306"),
    ("error", E("Malformed", "model", None, "sample 40", "location 4772")),
    ("ok", "types=4; samples=306"),
]

if __name__ == "__main__":
    main()
