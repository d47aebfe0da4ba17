// The low-level SHA-256 API is deprecated in OpenSSL 3.0 but is the only one that lets us copy a midstate
// (the zero-padded first block of expand_message_xmd) for free; EVP costs ~0.4 us per digest here.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "core/hash_to_curve.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>

namespace vigie::h2c {

using p256::Fe;

namespace {

struct Constants {
  Fe z, a, c2;      // Z = -10, A = -3, c2 = sqrt(-Z) = sqrt(10)
  SHA256_CTX zpad;  // SHA-256 state after the 64 zero bytes that open msg_prime
  Constants() {
    uint8_t bytes[32] = {0};
    Fe ten, three;
    bytes[31] = 10;
    p256::FeFromBytes(&ten, bytes);
    bytes[31] = 3;
    p256::FeFromBytes(&three, bytes);
    p256::FeNeg(&z, ten);
    p256::FeNeg(&a, three);
    p256::FeSqrt(&c2, ten);  // 10 is a square mod p; either root works, the sign of y is fixed later
    const uint8_t zeros[64] = {0};
    SHA256_Init(&zpad);
    SHA256_Update(&zpad, zeros, sizeof zeros);
  }
};

const Constants& K() {
  static const Constants k;
  return k;
}

// sqrt_ratio for q = 3 mod 4 (RFC 9380 Appendix F.2.1.2). Returns the is_QR mask.
uint64_t SqrtRatio3Mod4(Fe* y, const Fe& u, const Fe& v) {
  const Constants& k = K();
  Fe tv1, tv2, tv3, y1, y2;
  p256::FeSqr(&tv1, v);
  p256::FeMul(&tv2, u, v);
  p256::FeMul(&tv1, tv1, tv2);
  p256::FePowC1(&y1, tv1);
  p256::FeMul(&y1, y1, tv2);
  p256::FeMul(&y2, y1, k.c2);
  p256::FeSqr(&tv3, y1);
  p256::FeMul(&tv3, tv3, v);
  const uint64_t is_qr = p256::FeEqual(tv3, u);
  *y = y2;
  p256::FeCmov(y, y1, is_qr);
  return is_qr;
}

}  // namespace

bool ExpandMessageXmd(std::string_view msg, std::string_view dst, size_t len, uint8_t* out) {
  if (len == 0 || len > 255 * 32 || dst.size() > 255) return false;
  const size_t ell = (len + 31) / 32;
  const uint8_t dst_len = static_cast<uint8_t>(dst.size());
  uint8_t b0[32], bi[32];
  SHA256_CTX c = K().zpad;
  SHA256_Update(&c, msg.data(), msg.size());
  const uint8_t lib[3] = {static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len), 0};
  SHA256_Update(&c, lib, sizeof lib);
  SHA256_Update(&c, dst.data(), dst.size());
  SHA256_Update(&c, &dst_len, 1);
  SHA256_Final(b0, &c);

  uint8_t x[32];
  std::memcpy(x, b0, 32);
  for (size_t i = 1; i <= ell; ++i) {
    if (i > 1) {
      for (int j = 0; j < 32; ++j) x[j] = b0[j] ^ bi[j];
    }
    const uint8_t idx = static_cast<uint8_t>(i);
    SHA256_Init(&c);
    SHA256_Update(&c, x, 32);
    SHA256_Update(&c, &idx, 1);
    SHA256_Update(&c, dst.data(), dst.size());
    SHA256_Update(&c, &dst_len, 1);
    SHA256_Final(bi, &c);
    const size_t n = std::min<size_t>(32, len - (i - 1) * 32);
    std::memcpy(out + (i - 1) * 32, bi, n);
  }
  OPENSSL_cleanse(b0, sizeof b0);
  OPENSSL_cleanse(bi, sizeof bi);
  OPENSSL_cleanse(x, sizeof x);
  return true;
}

bool HashToFieldP256(std::string_view msg, std::string_view dst, Fe u[2]) {
  uint8_t uniform[96];
  if (!ExpandMessageXmd(msg, dst, sizeof uniform, uniform)) return false;
  p256::FeFromWide48(&u[0], uniform);
  p256::FeFromWide48(&u[1], uniform + 48);
  OPENSSL_cleanse(uniform, sizeof uniform);
  return true;
}

// Straight-line simplified SWU (RFC 9380 Appendix F.2). x comes out as a fraction xn / tv4, which is
// exactly a projective X and Z, so no inversion is needed here: (xn : y * tv4 : tv4).
void MapToCurveSswu(const Fe& u, ProjectivePoint* out) {
  const Constants& k = K();
  const Fe& b = p256::FeB();
  Fe tv1, tv2, tv3, tv4, tv5, tv6, x, y, y1, neg;
  p256::FeSqr(&tv1, u);
  p256::FeMul(&tv1, k.z, tv1);
  p256::FeSqr(&tv2, tv1);
  p256::FeAdd(&tv2, tv2, tv1);
  p256::FeAdd(&tv3, tv2, p256::FeOne());
  p256::FeMul(&tv3, b, tv3);
  p256::FeNeg(&tv4, tv2);
  p256::FeCmov(&tv4, k.z, p256::FeIsZero(tv2));
  p256::FeMul(&tv4, k.a, tv4);
  p256::FeSqr(&tv2, tv3);
  p256::FeSqr(&tv6, tv4);
  p256::FeMul(&tv5, k.a, tv6);
  p256::FeAdd(&tv2, tv2, tv5);
  p256::FeMul(&tv2, tv2, tv3);
  p256::FeMul(&tv6, tv6, tv4);
  p256::FeMul(&tv5, b, tv6);
  p256::FeAdd(&tv2, tv2, tv5);
  p256::FeMul(&x, tv1, tv3);
  const uint64_t is_gx1_square = SqrtRatio3Mod4(&y1, tv2, tv6);
  p256::FeMul(&y, tv1, u);
  p256::FeMul(&y, y, y1);
  p256::FeCmov(&x, tv3, is_gx1_square);
  p256::FeCmov(&y, y1, is_gx1_square);
  const uint64_t e1 = 0 - (p256::FeSgn0(u) ^ p256::FeSgn0(y));  // all ones when the signs differ
  p256::FeNeg(&neg, y);
  p256::FeCmov(&y, neg, e1);
  out->X = x;
  p256::FeMul(&out->Y, y, tv4);
  out->Z = tv4;
}

void PointAdd(ProjectivePoint* r, const ProjectivePoint& p, const ProjectivePoint& q) {
  using p256::FeAdd;
  using p256::FeMul;
  using p256::FeSub;
  const Fe& b = p256::FeB();
  const Fe &X1 = p.X, &Y1 = p.Y, &Z1 = p.Z, &X2 = q.X, &Y2 = q.Y, &Z2 = q.Z;
  Fe t0, t1, t2, t3, t4, X3, Y3, Z3;
  FeMul(&t0, X1, X2);
  FeMul(&t1, Y1, Y2);
  FeMul(&t2, Z1, Z2);
  FeAdd(&t3, X1, Y1);
  FeAdd(&t4, X2, Y2);
  FeMul(&t3, t3, t4);
  FeAdd(&t4, t0, t1);
  FeSub(&t3, t3, t4);
  FeAdd(&t4, Y1, Z1);
  FeAdd(&X3, Y2, Z2);
  FeMul(&t4, t4, X3);
  FeAdd(&X3, t1, t2);
  FeSub(&t4, t4, X3);
  FeAdd(&X3, X1, Z1);
  FeAdd(&Y3, X2, Z2);
  FeMul(&X3, X3, Y3);
  FeAdd(&Y3, t0, t2);
  FeSub(&Y3, X3, Y3);
  FeMul(&Z3, b, t2);
  FeSub(&X3, Y3, Z3);
  FeAdd(&Z3, X3, X3);
  FeAdd(&X3, X3, Z3);
  FeSub(&Z3, t1, X3);
  FeAdd(&X3, t1, X3);
  FeMul(&Y3, b, Y3);
  FeAdd(&t1, t2, t2);
  FeAdd(&t2, t1, t2);
  FeSub(&Y3, Y3, t2);
  FeSub(&Y3, Y3, t0);
  FeAdd(&t1, Y3, Y3);
  FeAdd(&Y3, t1, Y3);
  FeAdd(&t1, t0, t0);
  FeAdd(&t0, t1, t0);
  FeSub(&t0, t0, t2);
  FeMul(&t1, t4, Y3);
  FeMul(&t2, t0, Y3);
  FeMul(&Y3, X3, Z3);
  FeAdd(&Y3, Y3, t2);
  FeMul(&X3, t3, X3);
  FeSub(&X3, X3, t1);
  FeMul(&Z3, t4, Z3);
  FeMul(&t1, t3, t0);
  FeAdd(&Z3, Z3, t1);
  r->X = X3;
  r->Y = Y3;
  r->Z = Z3;
}

bool HashToCurve(std::string_view msg, std::string_view dst, ProjectivePoint* out) {
  Fe u[2];
  if (!HashToFieldP256(msg, dst, u)) return false;
  ProjectivePoint q0, q1;
  MapToCurveSswu(u[0], &q0);
  MapToCurveSswu(u[1], &q1);
  PointAdd(out, q0, q1);
  return true;
}

bool ToAffineBytes(const ProjectivePoint& p, uint8_t x[32], uint8_t y[32]) {
  if (p256::FeIsZero(p.Z)) return false;
  Fe inv, ax, ay;
  p256::FeInv(&inv, p.Z);
  p256::FeMul(&ax, p.X, inv);
  p256::FeMul(&ay, p.Y, inv);
  p256::FeToBytes(x, ax);
  p256::FeToBytes(y, ay);
  return true;
}

// ---- the BIGNUM reference ------------------------------------------------------------------------

namespace {

struct BnMap {
  const BIGNUM* p;
  BIGNUM *a, *b, *z;
  BN_CTX* ctx;
};

// x^3 + A x + B mod p.
bool Gx(const BnMap& m, BIGNUM* out, const BIGNUM* x) {
  BN_CTX_start(m.ctx);
  BIGNUM* t = BN_CTX_get(m.ctx);
  bool ok = t && BN_mod_sqr(t, x, m.p, m.ctx) && BN_mod_mul(t, t, x, m.p, m.ctx) &&
            BN_mod_mul(out, m.a, x, m.p, m.ctx) && BN_mod_add(out, out, t, m.p, m.ctx) &&
            BN_mod_add(out, out, m.b, m.p, m.ctx);
  BN_CTX_end(m.ctx);
  return ok;
}

bool IsSquare(const BnMap& m, const BIGNUM* v) {
  // Euler's criterion; 0 counts as a square (RFC 9380 is_square).
  if (BN_is_zero(v)) return true;
  BN_CTX_start(m.ctx);
  BIGNUM* e = BN_CTX_get(m.ctx);
  BIGNUM* r = BN_CTX_get(m.ctx);
  bool sq =
      e && r && BN_sub(e, m.p, BN_value_one()) && BN_rshift1(e, e) && BN_mod_exp(r, v, e, m.p, m.ctx) && BN_is_one(r);
  BN_CTX_end(m.ctx);
  return sq;
}

// RFC 9380 §6.6.2, "simplified SWU" as written (not the straight-line version).
bool MapGeneric(const BnMap& m, const BIGNUM* u, BIGNUM* x, BIGNUM* y) {
  BN_CTX_start(m.ctx);
  BIGNUM* u2 = BN_CTX_get(m.ctx);
  BIGNUM* tv1 = BN_CTX_get(m.ctx);
  BIGNUM* t = BN_CTX_get(m.ctx);
  BIGNUM* x1 = BN_CTX_get(m.ctx);
  BIGNUM* x2 = BN_CTX_get(m.ctx);
  BIGNUM* gx1 = BN_CTX_get(m.ctx);
  BIGNUM* gx2 = BN_CTX_get(m.ctx);
  bool ok = gx2 != nullptr;
  // tv1 = inv0(Z^2 u^4 + Z u^2)
  ok = ok && BN_mod_sqr(u2, u, m.p, m.ctx) && BN_mod_mul(t, m.z, u2, m.p, m.ctx) &&  // t = Z u^2
       BN_mod_sqr(tv1, t, m.p, m.ctx) && BN_mod_add(tv1, tv1, t, m.p, m.ctx);
  if (ok) {
    if (BN_is_zero(tv1)) {
      // x1 = B / (Z A)
      ok = BN_mod_mul(x1, m.z, m.a, m.p, m.ctx) && BN_mod_inverse(x1, x1, m.p, m.ctx) &&
           BN_mod_mul(x1, x1, m.b, m.p, m.ctx);
    } else {
      // x1 = (-B / A) (1 + tv1)
      ok = BN_mod_inverse(tv1, tv1, m.p, m.ctx) && BN_add(tv1, tv1, BN_value_one()) &&
           BN_mod_inverse(x1, m.a, m.p, m.ctx) && BN_mod_mul(x1, x1, m.b, m.p, m.ctx) &&
           BN_mod_sub(x1, m.p, x1, m.p, m.ctx) && BN_mod_mul(x1, x1, tv1, m.p, m.ctx);
    }
  }
  ok = ok && Gx(m, gx1, x1) && BN_mod_mul(x2, t, x1, m.p, m.ctx) && Gx(m, gx2, x2);
  if (ok) {
    const bool first = IsSquare(m, gx1);
    ok = BN_copy(x, first ? x1 : x2) && BN_mod_sqrt(y, first ? gx1 : gx2, m.p, m.ctx) != nullptr;
  }
  if (ok && BN_is_odd(u) != BN_is_odd(y)) ok = BN_mod_sub(y, m.p, y, m.p, m.ctx);
  BN_CTX_end(m.ctx);
  return ok;
}

}  // namespace

namespace {

// Per-thread group and scratch, so that the reference pays for the arithmetic, not for setup.
struct GenericState {
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  BN_CTX* ctx = BN_CTX_new();
  BIGNUM *p = BN_new(), *a = BN_new(), *b = BN_new(), *z = BN_new();
  BIGNUM *u = BN_new(), *px = BN_new(), *py = BN_new();
  EC_POINT* q0 = group ? EC_POINT_new(group) : nullptr;
  EC_POINT* q1 = group ? EC_POINT_new(group) : nullptr;
  bool ok = group && ctx && p && a && b && z && u && px && py && q0 && q1 && EC_GROUP_get_curve(group, p, a, b, ctx) &&
            BN_set_word(z, 10) && BN_sub(z, p, z);
  ~GenericState() {
    EC_POINT_free(q0);
    EC_POINT_free(q1);
    for (BIGNUM* n : {p, a, b, z, u, px, py}) BN_free(n);
    BN_CTX_free(ctx);
    EC_GROUP_free(group);
  }
};

}  // namespace

bool HashToCurveGeneric(std::string_view msg, std::string_view dst, uint8_t x[32], uint8_t y[32]) {
  uint8_t uniform[96];
  if (!ExpandMessageXmd(msg, dst, sizeof uniform, uniform)) return false;
  thread_local GenericState s;
  if (!s.ok) return false;
  BnMap m{s.p, s.a, s.b, s.z, s.ctx};
  bool ok = true;
  for (int i = 0; ok && i < 2; ++i) {
    ok = BN_bin2bn(uniform + 48 * i, 48, s.u) && BN_nnmod(s.u, s.u, s.p, s.ctx) && MapGeneric(m, s.u, s.px, s.py) &&
         EC_POINT_set_affine_coordinates(s.group, i == 0 ? s.q0 : s.q1, s.px, s.py, s.ctx);
  }
  ok = ok && EC_POINT_add(s.group, s.q0, s.q0, s.q1, s.ctx) && !EC_POINT_is_at_infinity(s.group, s.q0) &&
       EC_POINT_get_affine_coordinates(s.group, s.q0, s.px, s.py, s.ctx) && BN_bn2binpad(s.px, x, 32) == 32 &&
       BN_bn2binpad(s.py, y, 32) == 32;
  if (!ok) ERR_clear_error();
  return ok;
}

}  // namespace vigie::h2c
