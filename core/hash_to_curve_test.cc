#include "core/hash_to_curve.h"

#include <doctest/doctest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>

#include <cstring>
#include <random>
#include <string>

#include "core/codec.h"
#include "core/p256_field.h"
#include "tests/kv_vectors.h"

namespace vigie {
namespace {

using p256::Fe;

std::string Hex(const uint8_t* d, size_t n) { return HexEncode(d, n); }

std::string FeHex(const Fe& a) {
  uint8_t b[32];
  p256::FeToBytes(b, a);
  return Hex(b, 32);
}

struct Bn {
  BIGNUM* v = BN_new();
  ~Bn() { BN_free(v); }
};

Fe RandomFe(std::mt19937_64& rng, BIGNUM* out, const BIGNUM* p) {
  uint8_t b[32];
  Fe f;
  do {
    for (auto& c : b) c = static_cast<uint8_t>(rng());
  } while (!p256::FeFromBytes(&f, b));
  BN_bin2bn(b, 32, out);
  (void)p;
  return f;
}

std::string BnHex32(const BIGNUM* b) {
  uint8_t buf[32];
  BN_bn2binpad(b, buf, 32);
  return Hex(buf, 32);
}

TEST_CASE("p256 field arithmetic agrees with BIGNUM") {
  BN_CTX* ctx = BN_CTX_new();
  Bn p, a, b, r;
  BN_hex2bn(&p.v, "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    Fe fa = RandomFe(rng, a.v, p.v), fb = RandomFe(rng, b.v, p.v), fr;
    if (i == 0) {  // edges: 0 and p - 1
      fa = p256::FeZero();
      BN_zero(a.v);
      uint8_t pm1[32];
      BN_sub(r.v, p.v, BN_value_one());
      BN_bn2binpad(r.v, pm1, 32);
      REQUIRE(p256::FeFromBytes(&fb, pm1));
      BN_copy(b.v, r.v);
    }
    p256::FeMul(&fr, fa, fb);
    BN_mod_mul(r.v, a.v, b.v, p.v, ctx);
    CHECK(FeHex(fr) == BnHex32(r.v));
    p256::FeMulPortable(&fr, fa, fb);
    CHECK(FeHex(fr) == BnHex32(r.v));
    p256::FeAdd(&fr, fa, fb);
    BN_mod_add(r.v, a.v, b.v, p.v, ctx);
    CHECK(FeHex(fr) == BnHex32(r.v));
    p256::FeSub(&fr, fa, fb);
    BN_mod_sub(r.v, a.v, b.v, p.v, ctx);
    CHECK(FeHex(fr) == BnHex32(r.v));
    p256::FeInv(&fr, fb);
    BN_mod_inverse(r.v, b.v, p.v, ctx);
    CHECK(FeHex(fr) == BnHex32(r.v));
    Fe sq;
    p256::FeSqr(&sq, fa);
    Fe root;
    REQUIRE(p256::FeSqrt(&root, sq) != 0);
    Fe back;
    p256::FeSqr(&back, root);
    CHECK(p256::FeEqual(back, sq) != 0);
    CHECK(p256::FeSgn0(fa) == static_cast<uint64_t>(BN_is_odd(a.v)));
  }
  // -1 is not a square mod p (p = 3 mod 4).
  Fe m1, root;
  p256::FeNeg(&m1, p256::FeOne());
  CHECK(p256::FeSqrt(&root, m1) == 0);
  // FeFromBytes rejects p and above.
  uint8_t pb[32];
  BN_bn2binpad(p.v, pb, 32);
  Fe f;
  CHECK_FALSE(p256::FeFromBytes(&f, pb));
  std::memset(pb, 0xff, 32);
  CHECK_FALSE(p256::FeFromBytes(&f, pb));
  // 48-byte reduction.
  for (int i = 0; i < 200; ++i) {
    uint8_t w[48];
    for (auto& c : w) c = static_cast<uint8_t>(rng());
    if (i == 0) std::memset(w, 0xff, 48);
    p256::FeFromWide48(&f, w);
    BN_bin2bn(w, 48, r.v);
    BN_nnmod(r.v, r.v, p.v, ctx);
    CHECK(FeHex(f) == BnHex32(r.v));
  }
  BN_CTX_free(ctx);
}

TEST_CASE("FeBatchInv matches FeInv, zeros included") {
  std::mt19937_64 rng(3);
  Bn a, p;
  BN_hex2bn(&p.v, "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
  Fe in[9], out[9], scratch[9];
  for (auto& x : in) x = RandomFe(rng, a.v, p.v);
  in[0] = p256::FeZero();
  in[5] = p256::FeZero();
  p256::FeBatchInv(out, in, scratch, 9);
  for (int i = 0; i < 9; ++i) {
    Fe e;
    p256::FeInv(&e, in[i]);
    CHECK(p256::FeEqual(e, out[i]) != 0);
  }
  p256::FeBatchInv(in, in, scratch, 9);  // in place
  for (int i = 0; i < 9; ++i) CHECK(p256::FeEqual(in[i], out[i]) != 0);
}

TEST_CASE("RFC 9380 K.1: expand_message_xmd(SHA-256) vectors") {
  std::string error;
  auto recs = testing::ReadKvVectors(VIGIE_SOURCE_DIR "/tests/vectors/rfc9380-p256.txt", "msg",
                                     {"suite", "dst", "name", "DST", "hash", "k"}, &error);
  REQUIRE(error.empty());
  int n = 0;
  for (const auto& r : recs) {
    if (!r.Has("uniform_bytes")) continue;
    INFO("line " << r.line);
    const size_t len = std::stoul(r.Get("len_in_bytes"), nullptr, 16);
    std::string out(len, '\0');
    REQUIRE(h2c::ExpandMessageXmd(r.Get("msg"), r.Get("DST"), len, reinterpret_cast<uint8_t*>(out.data())));
    CHECK(Hex(reinterpret_cast<const uint8_t*>(out.data()), len) == r.Get("uniform_bytes"));
    ++n;
  }
  CHECK(n == 10);
  uint8_t buf[32];
  CHECK_FALSE(h2c::ExpandMessageXmd("x", std::string(256, 'd'), 32, buf));
  CHECK_FALSE(h2c::ExpandMessageXmd("x", "dst", 0, buf));
  std::string big(8161, '\0');
  CHECK_FALSE(h2c::ExpandMessageXmd("x", "dst", big.size(), reinterpret_cast<uint8_t*>(big.data())));
}

std::string AffineHex(const h2c::ProjectivePoint& p, bool want_y) {
  uint8_t x[32], y[32];
  REQUIRE(h2c::ToAffineBytes(p, x, y));
  return Hex(want_y ? y : x, 32);
}

TEST_CASE("RFC 9380 J.1.1: P256_XMD:SHA-256_SSWU_RO_ vectors (u, Q0, Q1, P), fast and generic") {
  std::string error;
  auto recs = testing::ReadKvVectors(VIGIE_SOURCE_DIR "/tests/vectors/rfc9380-p256.txt", "msg",
                                     {"suite", "dst", "name", "DST", "hash", "k"}, &error);
  REQUIRE(error.empty());
  int n = 0;
  for (const auto& r : recs) {
    if (!r.Has("P.x")) continue;
    INFO("line " << r.line);
    const std::string msg = r.Get("msg");
    const std::string dst = r.Get("dst");
    REQUIRE(dst == "QUUX-V01-CS02-with-P256_XMD:SHA-256_SSWU_RO_");
    Fe u[2];
    REQUIRE(h2c::HashToFieldP256(msg, dst, u));
    CHECK(FeHex(u[0]) == r.Get("u[0]"));
    CHECK(FeHex(u[1]) == r.Get("u[1]"));
    h2c::ProjectivePoint q0, q1, p;
    h2c::MapToCurveSswu(u[0], &q0);
    h2c::MapToCurveSswu(u[1], &q1);
    CHECK(AffineHex(q0, false) == r.Get("Q0.x"));
    CHECK(AffineHex(q0, true) == r.Get("Q0.y"));
    CHECK(AffineHex(q1, false) == r.Get("Q1.x"));
    CHECK(AffineHex(q1, true) == r.Get("Q1.y"));
    REQUIRE(h2c::HashToCurve(msg, dst, &p));
    CHECK(AffineHex(p, false) == r.Get("P.x"));
    CHECK(AffineHex(p, true) == r.Get("P.y"));
    uint8_t gx[32], gy[32];
    REQUIRE(h2c::HashToCurveGeneric(msg, dst, gx, gy));
    CHECK(Hex(gx, 32) == r.Get("P.x"));
    CHECK(Hex(gy, 32) == r.Get("P.y"));
    ++n;
  }
  CHECK(n == 5);
}

TEST_CASE("fast and generic hash-to-curve agree on 10k random inputs") {
  std::mt19937_64 rng(2024);
  const std::string dst = "HashToGroup-OPRFV1-\x00-P256-SHA256";
  int mismatches = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string msg(rng() % 80, '\0');
    for (auto& c : msg) c = static_cast<char>(rng());
    h2c::ProjectivePoint p;
    REQUIRE(h2c::HashToCurve(msg, dst, &p));
    uint8_t fx[32], fy[32], gx[32], gy[32];
    REQUIRE(h2c::ToAffineBytes(p, fx, fy));
    REQUIRE(h2c::HashToCurveGeneric(msg, dst, gx, gy));
    if (std::memcmp(fx, gx, 32) != 0 || std::memcmp(fy, gy, 32) != 0) ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("complete addition: doubling, inverse and identity agree with OpenSSL") {
  EC_GROUP* g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  BN_CTX* ctx = BN_CTX_new();
  Bn bx, by;
  auto to_ec = [&](const h2c::ProjectivePoint& p, EC_POINT* out) {
    uint8_t x[32], y[32];
    if (!h2c::ToAffineBytes(p, x, y)) return EC_POINT_set_to_infinity(g, out) == 1;
    BN_bin2bn(x, 32, bx.v);
    BN_bin2bn(y, 32, by.v);
    return EC_POINT_set_affine_coordinates(g, out, bx.v, by.v, ctx) == 1;
  };
  EC_POINT *a = EC_POINT_new(g), *b = EC_POINT_new(g), *want = EC_POINT_new(g);
  std::mt19937_64 rng(11);
  for (int i = 0; i < 50; ++i) {
    std::string m1 = std::to_string(rng()), m2 = std::to_string(rng());
    h2c::ProjectivePoint p, q, r, neg, id{p256::FeZero(), p256::FeOne(), p256::FeZero()};
    h2c::HashToCurve(m1, "t", &p);
    h2c::HashToCurve(m2, "t", &q);
    REQUIRE(to_ec(p, a));
    REQUIRE(to_ec(q, b));
    // generic sum
    h2c::PointAdd(&r, p, q);
    EC_POINT_add(g, want, a, b, ctx);
    REQUIRE(to_ec(r, b));
    CHECK(EC_POINT_cmp(g, b, want, ctx) == 0);
    // doubling through the same formula
    h2c::PointAdd(&r, p, p);
    EC_POINT_dbl(g, want, a, ctx);
    REQUIRE(to_ec(r, b));
    CHECK(EC_POINT_cmp(g, b, want, ctx) == 0);
    // P + (-P) is the identity; P + O = P
    neg = p;
    p256::FeNeg(&neg.Y, p.Y);
    h2c::PointAdd(&r, p, neg);
    CHECK(p256::FeIsZero(r.Z) != 0);
    h2c::PointAdd(&r, p, id);
    REQUIRE(to_ec(r, b));
    CHECK(EC_POINT_cmp(g, b, a, ctx) == 0);
  }
  EC_POINT_free(a);
  EC_POINT_free(b);
  EC_POINT_free(want);
  BN_CTX_free(ctx);
  EC_GROUP_free(g);
}

}  // namespace
}  // namespace vigie
