#!/usr/bin/env python3
"""Writes tests/vectors/set-shards.txt: private-path shard bodies (docs/FORMAT.md "Sets") made by this
independent Python implementation of the format, so that the C++ encoder (core/codec_set_test.cc) and the
page's JavaScript decoder (web/test/set.test.mjs) are both checked against a third reading of the spec.

Every input is synthetic (fixed numbers, seeded random values). Run: python3 tests/vectors/make_set_vectors.py
"""
import os
import random
import zlib

KINDS = {"nir": 1, "email": 2, "phone": 3, "password": 4}


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def gaps(values):
    return [v if i == 0 else v - values[i - 1] - 1 for i, v in enumerate(values)]


def best_k(values, value_bits):
    """The Rice parameter with the fewest bits; ties go to the smallest k (as the C++ encoder does)."""
    if not values:
        return 0
    import math
    mean = (values[-1] + 1) / len(values)
    estimate = max(0, min(value_bits, int(math.floor(math.log2(max(1.0, mean * 0.69314718))))))
    best, best_cost = estimate, None
    for k in range(max(0, estimate - 2), min(min(value_bits, 63), estimate + 2) + 1):
        cost = sum((g >> k) + 1 + k for g in gaps(values))
        if best_cost is None or cost < best_cost:
            best, best_cost = k, cost
    return best


def encode(kind, shard_bits, tag_bits, generation, shard, combos, values, combo_of, pad_to):
    k = best_k(values, tag_bits - shard_bits)
    coded = len(combos) > 1
    head = b"VGS1" + bytes([1, KINDS[kind], shard_bits, tag_bits]) + generation.to_bytes(8, "big")
    head += shard.to_bytes(4, "big") + len(values).to_bytes(4, "big") + b"\0" * 8 + bytes([k, 1 if coded else 0])
    body = bytearray(head)
    body += varint(len(combos))
    for combo in combos:
        body += varint(len(combo))
        prev = 0
        for i, p in enumerate(combo):
            body += varint(p if i == 0 else p - prev)
            prev = p
    bits = []
    for i, g in enumerate(gaps(values)):
        bits += [1] * (g >> k) + [0] + [(g >> (k - 1 - j)) & 1 for j in range(k)]
        if coded:
            x = combo_of[i] + 1
            n = x.bit_length()
            bits += [0] * (n - 1) + [(x >> (n - 1 - j)) & 1 for j in range(n)]
    bits += [0] * (-len(bits) % 8)
    for i in range(0, len(bits), 8):
        body.append(int("".join(map(str, bits[i:i + 8])), 2))
    payload = len(body)
    total = max(payload + 4, pad_to)
    body[24:28] = payload.to_bytes(4, "big")
    body[28:32] = total.to_bytes(4, "big")
    body += zlib.crc32(bytes(body)).to_bytes(4, "big")
    body += b"\0" * (total - len(body))
    return bytes(body)


def record(name, kind, shard_bits, tag_bits, generation, shard, combos, values, combo_of, pad_to=0):
    body = encode(kind, shard_bits, tag_bits, generation, shard, combos, values, combo_of, pad_to)
    return "\n".join([
        f"name = {name}",
        f"kind = {kind}",
        f"shard_bits = {shard_bits}",
        f"tag_bits = {tag_bits}",
        f"generation = {generation}",
        f"shard = {shard}",
        "combos = " + ";".join(",".join(map(str, c)) for c in combos),
        "values = " + ",".join(map(str, values)),
        "combo_of = " + ",".join(map(str, combo_of)),
        f"pad_to = {pad_to}",
        f"body = {body.hex()}",
        "",
    ])


def main():
    rng = random.Random(3)
    out = [
        "# Private-path shard bodies (docs/FORMAT.md \"Sets\"), written by tests/vectors/make_set_vectors.py, an",
        "# independent implementation of the format. Synthetic values only. combos: breach combinations separated",
        "# by ';', each a ','-separated list of breach positions; combo_of: per value, its combination (empty: all 0).",
        "",
        # Worked in docs/FORMAT.md: gaps 5, 0, 13 with k = 2.
        record("small", "nir", 2, 10, 1, 3, [[0]], [5, 6, 20], []),
        record("empty", "email", 6, 30, 9, 0, [], [], []),
        record("two-breaches", "nir", 4, 24, 12, 11, [[0], [0, 2], [1]],
               [3, 700, 701, 9000, 65000, 1048575], [0, 1, 0, 2, 0, 0]),
        record("padded", "phone", 3, 20, 2, 5, [[1]], [17, 18, 40000], [], pad_to=96),
    ]
    values = sorted(rng.sample(range(1 << 39), 300))
    combo_of = [0 if rng.random() < 0.9 else rng.randrange(1, 4) for _ in values]
    out.append(record("random-300", "nir", 6, 45, 77, 42, [[0], [1], [0, 1], [2]], values, combo_of))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "set-shards.txt")
    with open(path, "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
