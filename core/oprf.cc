// Low-level SHA256_* (deprecated in OpenSSL 3.0) for the short transcripts: EVP setup costs more than the
// hashing itself. EC_POINT_get_Jprojective_coordinates_GFp (also deprecated) lets a batch share one field
// inversion when encoding its results.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "core/oprf.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstring>
#include <vector>

#include "core/hash_to_curve.h"
#include "core/oprf_internal.h"
#include "core/p256_field.h"

namespace vigie::oprf {

using p256::Fe;

namespace internal {

constexpr uint8_t kOrder[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
                                0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
                                0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

Status PointError(std::string message) { return Status::InvalidArgument("oprf.point", std::move(message)); }
Status ScalarError(std::string message) { return Status::InvalidArgument("oprf.scalar", std::move(message)); }
Status IdentityError() {
  return Status::InvalidArgument("oprf.identity", "the group element is the identity (point at infinity)");
}
Status OpenSslError(const char* what) {
  ERR_clear_error();
  return Status::Internal(std::string("OpenSSL failed: ") + what);
}

void PutU16(std::string* out, size_t v) {
  out->push_back(static_cast<char>((v >> 8) & 0xff));
  out->push_back(static_cast<char>(v & 0xff));
}

// Big-endian 32-byte values as 4 little-endian limbs and back.
void Load(const uint8_t in[32], uint64_t v[4]) {
  for (int i = 0; i < 4; ++i) {
    uint64_t w = 0;
    for (int j = 0; j < 8; ++j) w = (w << 8) | in[(3 - i) * 8 + j];
    v[i] = w;
  }
}
void Store(const uint64_t v[4], uint8_t out[32]) {
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 8; ++j) out[(3 - i) * 8 + j] = static_cast<uint8_t>(v[i] >> (56 - 8 * j));
  }
}

// All-ones mask when a < n (constant time).
uint64_t LessThanOrder(const uint8_t a[32]) {
  __extension__ typedef unsigned __int128 u128;
  uint64_t x[4], n[4];
  Load(a, x);
  Load(kOrder, n);
  u128 d = 0;
  uint64_t borrow = 0;
  for (int i = 0; i < 4; ++i) {
    d = static_cast<u128>(x[i]) - n[i] - borrow;
    borrow = static_cast<uint64_t>(d >> 64) & 1;
  }
  return 0 - borrow;
}

bool IsZero32(const uint8_t a[32]) {
  uint8_t acc = 0;
  for (int i = 0; i < 32; ++i) acc |= a[i];
  return acc == 0;
}

// out = a - b mod n for a, b < n, without branches on the values.
void ScalarSubModN(const uint8_t a[32], const uint8_t b[32], uint8_t out[32]) {
  __extension__ typedef unsigned __int128 u128;
  uint64_t x[4], y[4], n[4], r[4];
  Load(a, x);
  Load(b, y);
  Load(kOrder, n);
  uint64_t borrow = 0;
  for (int i = 0; i < 4; ++i) {
    u128 d = static_cast<u128>(x[i]) - y[i] - borrow;
    r[i] = static_cast<uint64_t>(d);
    borrow = static_cast<uint64_t>(d >> 64) & 1;
  }
  const uint64_t mask = 0 - borrow;
  uint64_t carry = 0;
  for (int i = 0; i < 4; ++i) {
    u128 s = static_cast<u128>(r[i]) + (n[i] & mask) + carry;
    r[i] = static_cast<uint64_t>(s);
    carry = static_cast<uint64_t>(s >> 64);
  }
  Store(r, out);
}

Ctx* Tls() {
  thread_local Ctx ctx;
  return ctx.ok ? &ctx : nullptr;
}

const std::string& Dst(Mode mode, int which) {
  // which: 0 HashToGroup, 1 HashToScalar, 2 DeriveKeyPair, 3 Seed
  static const std::string kDst[2][4] = {
      {"HashToGroup-" + ContextString(Mode::kOprf), "HashToScalar-" + ContextString(Mode::kOprf),
       "DeriveKeyPair" + ContextString(Mode::kOprf), "Seed-" + ContextString(Mode::kOprf)},
      {"HashToGroup-" + ContextString(Mode::kVoprf), "HashToScalar-" + ContextString(Mode::kVoprf),
       "DeriveKeyPair" + ContextString(Mode::kVoprf), "Seed-" + ContextString(Mode::kVoprf)}};
  return kDst[mode == Mode::kVoprf ? 1 : 0][which];
}

// Validates a compressed element and recovers its affine coordinates with the fast field code.
Status DecodeAffine(std::span<const uint8_t> in, uint8_t x[32], uint8_t y[32]) {
  if (in.size() != kElementBytes) {
    return PointError("a group element is a 33-byte compressed point, got " + std::to_string(in.size()) + " bytes");
  }
  if (in[0] != 0x02 && in[0] != 0x03) return PointError("a compressed point starts with 02 or 03");
  Fe fx, rhs, t, fy, neg;
  if (!p256::FeFromBytes(&fx, in.data() + 1)) return PointError("the x coordinate is not below p");
  // y^2 = x^3 - 3x + b
  p256::FeSqr(&rhs, fx);
  p256::FeMul(&rhs, rhs, fx);
  p256::FeAdd(&t, fx, fx);
  p256::FeAdd(&t, t, fx);
  p256::FeSub(&rhs, rhs, t);
  p256::FeAdd(&rhs, rhs, p256::FeB());
  if (!p256::FeSqrt(&fy, rhs)) return PointError("the x coordinate is not on the curve");
  p256::FeNeg(&neg, fy);
  p256::FeCmov(&fy, neg, 0 - (p256::FeSgn0(fy) ^ static_cast<uint64_t>(in[0] & 1)));
  p256::FeToBytes(x, fx);
  p256::FeToBytes(y, fy);
  return Status::Ok();
}

Status SetAffine(Ctx& c, const uint8_t x[32], const uint8_t y[32], EC_POINT* out) {
  if (!BN_bin2bn(x, 32, c.x) || !BN_bin2bn(y, 32, c.y) ||
      !EC_POINT_set_affine_coordinates(c.group, out, c.x, c.y, c.bn)) {
    return OpenSslError("setting a point");
  }
  return Status::Ok();
}

Status ElementToPoint(Ctx& c, std::span<const uint8_t> in, EC_POINT* out) {
  uint8_t x[32], y[32];
  VIGIE_RETURN_IF_ERROR(DecodeAffine(in, x, y));
  return SetAffine(c, x, y, out);
}

Status PointToElement(Ctx& c, const EC_POINT* p, uint8_t out[kElementBytes]) {
  if (EC_POINT_is_at_infinity(c.group, p)) return IdentityError();
  if (EC_POINT_point2oct(c.group, p, POINT_CONVERSION_COMPRESSED, out, kElementBytes, c.bn) != kElementBytes) {
    return OpenSslError("encoding a point");
  }
  return Status::Ok();
}

Status HashToGroupPoint(Ctx& c, Mode mode, std::string_view input, EC_POINT* out) {
  h2c::ProjectivePoint p;
  uint8_t x[32], y[32];
  if (!h2c::HashToCurve(input, Dst(mode, 0), &p)) return Status::Internal("hash-to-curve failed");
  if (!h2c::ToAffineBytes(p, x, y)) return IdentityError();
  return SetAffine(c, x, y, out);
}

// HashToScalar with an explicit DST: expand to 48 bytes, reduce mod n.
Status HashToScalarBn(Ctx& c, std::string_view msg, std::string_view dst, BIGNUM* out) {
  uint8_t uniform[48];
  if (!h2c::ExpandMessageXmd(msg, dst, sizeof uniform, uniform)) return Status::Internal("expand_message failed");
  if (!BN_bin2bn(uniform, sizeof uniform, out) || !BN_nnmod(out, out, c.order(), c.bn)) {
    return OpenSslError("reducing a scalar");
  }
  OPENSSL_cleanse(uniform, sizeof uniform);
  return Status::Ok();
}

Status CheckInputLength(std::string_view input) {
  if (input.size() > 0xffff) {
    return Status::InvalidArgument("oprf.input", "an OPRF input is at most 65535 bytes");
  }
  return Status::Ok();
}

// Hash(I2OSP(len(input), 2) || input || I2OSP(33, 2) || element || "Finalize").
void FinalizeHash(std::string_view input, const uint8_t element[kElementBytes], uint8_t out[kOutputBytes]) {
  SHA256_CTX h;
  SHA256_Init(&h);
  const uint8_t len[2] = {static_cast<uint8_t>(input.size() >> 8), static_cast<uint8_t>(input.size())};
  SHA256_Update(&h, len, 2);
  SHA256_Update(&h, input.data(), input.size());
  const uint8_t elen[2] = {0, kElementBytes};
  SHA256_Update(&h, elen, 2);
  SHA256_Update(&h, element, kElementBytes);
  SHA256_Update(&h, "Finalize", 8);
  SHA256_Final(out, &h);
}

Status LoadSecretScalar(const Scalar& s, BIGNUM* out) {
  if (!(LessThanOrder(s.data()) & 1) || IsZero32(s.data())) {
    return ScalarError("a scalar must be non-zero and below the group order");
  }
  if (!BN_bin2bn(s.data(), 32, out)) return OpenSslError("loading a scalar");
  BN_set_flags(out, BN_FLG_CONSTTIME);
  return Status::Ok();
}

}  // namespace internal

using namespace internal;

// ---- OprfKey -----------------------------------------------------------------------------------------

struct OprfKey::Impl {
  Scalar sk{};
  Element pk{};
  BIGNUM* bn = nullptr;  // BN_FLG_CONSTTIME; only read after construction
  ~Impl() {
    OPENSSL_cleanse(sk.data(), sk.size());
    BN_clear_free(bn);
  }
};

const BIGNUM* KeyBn(const OprfKey& key) { return key.impl().bn; }

OprfKey::OprfKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OprfKey::OprfKey(OprfKey&&) noexcept = default;
OprfKey& OprfKey::operator=(OprfKey&&) noexcept = default;
OprfKey::~OprfKey() = default;
const Scalar& OprfKey::secret() const { return impl_->sk; }
const Element& OprfKey::public_key() const { return impl_->pk; }

Result<OprfKey> OprfKey::FromScalar(const Scalar& sk) {
  Ctx* c = Tls();
  if (!c) return OpenSslError("setting up P-256");
  auto impl = std::make_unique<Impl>();
  impl->bn = BN_new();
  if (!impl->bn) return OpenSslError("allocating a key");
  VIGIE_RETURN_IF_ERROR(LoadSecretScalar(sk, impl->bn));
  impl->sk = sk;
  if (!EC_POINT_mul(c->group, c->p, impl->bn, nullptr, nullptr, c->bn)) return OpenSslError("computing pkS");
  VIGIE_RETURN_IF_ERROR(PointToElement(*c, c->p, impl->pk.data()));
  return OprfKey(std::move(impl));
}

Result<OprfKey> OprfKey::Derive(Mode mode, std::span<const uint8_t> seed, std::span<const uint8_t> info) {
  if (info.size() > 0xffff) return Status::InvalidArgument("oprf.key", "key info is at most 65535 bytes");
  Ctx* c = Tls();
  if (!c) return OpenSslError("setting up P-256");
  std::string input(reinterpret_cast<const char*>(seed.data()), seed.size());
  PutU16(&input, info.size());
  input.append(reinterpret_cast<const char*>(info.data()), info.size());
  input.push_back('\0');
  Scalar sk{};
  for (int counter = 0; counter <= 255; ++counter) {
    input.back() = static_cast<char>(counter);
    VIGIE_RETURN_IF_ERROR(HashToScalarBn(*c, input, Dst(mode, 2), c->s));
    if (!BN_is_zero(c->s)) {
      if (BN_bn2binpad(c->s, sk.data(), 32) != 32) return OpenSslError("encoding a scalar");
      OPENSSL_cleanse(input.data(), input.size());
      BN_clear(c->s);
      Result<OprfKey> key = FromScalar(sk);
      OPENSSL_cleanse(sk.data(), sk.size());
      return key;
    }
  }
  return Status::InvalidArgument("oprf.key", "DeriveKeyPair found no non-zero scalar in 256 tries");
}

Result<OprfKey> OprfKey::Generate() {
  Scalar sk{};
  for (int tries = 0; tries < 64; ++tries) {
    if (RAND_priv_bytes(sk.data(), static_cast<int>(sk.size())) != 1) return OpenSslError("RAND_priv_bytes");
    if ((LessThanOrder(sk.data()) & 1) && !IsZero32(sk.data())) {
      Result<OprfKey> key = FromScalar(sk);
      OPENSSL_cleanse(sk.data(), sk.size());
      return key;
    }
  }
  return Status::Internal("the random generator keeps producing out-of-range scalars");
}

// ---- encodings -----------------------------------------------------------------------------------------

std::string ContextString(Mode mode) {
  std::string s = "OPRFV1-";
  s.push_back(static_cast<char>(mode));
  s += "-P256-SHA256";
  return s;
}

Status ParseElement(std::span<const uint8_t> bytes, Element* out) {
  uint8_t x[32], y[32];
  VIGIE_RETURN_IF_ERROR(DecodeAffine(bytes, x, y));
  std::memcpy(out->data(), bytes.data(), kElementBytes);
  return Status::Ok();
}

Status ParseScalar(std::span<const uint8_t> bytes, Scalar* out) {
  if (bytes.size() != kScalarBytes) {
    return ScalarError("a scalar is 32 bytes, got " + std::to_string(bytes.size()));
  }
  if (!(LessThanOrder(bytes.data()) & 1)) return ScalarError("the scalar is not below the group order");
  if (IsZero32(bytes.data())) return ScalarError("the scalar is zero");
  std::memcpy(out->data(), bytes.data(), kScalarBytes);
  return Status::Ok();
}

Result<Element> HashToGroup(Mode mode, std::string_view input) {
  Ctx* c = Tls();
  if (!c) return OpenSslError("setting up P-256");
  VIGIE_RETURN_IF_ERROR(HashToGroupPoint(*c, mode, input, c->p));
  Element e;
  VIGIE_RETURN_IF_ERROR(PointToElement(*c, c->p, e.data()));
  return e;
}

Result<Scalar> HashToScalar(Mode mode, std::string_view input) {
  Ctx* c = Tls();
  if (!c) return OpenSslError("setting up P-256");
  VIGIE_RETURN_IF_ERROR(HashToScalarBn(*c, input, Dst(mode, 1), c->x));
  Scalar s;
  if (BN_bn2binpad(c->x, s.data(), 32) != 32) return OpenSslError("encoding a scalar");
  return s;
}

// ---- client ------------------------------------------------------------------------------------------------

Result<Blinded> BlindWith(Mode mode, std::string_view input, const Scalar& blind) {
  VIGIE_RETURN_IF_ERROR(CheckInputLength(input));
  Ctx* c = Tls();
  if (!c) return OpenSslError("setting up P-256");
  VIGIE_RETURN_IF_ERROR(LoadSecretScalar(blind, c->s));
  VIGIE_RETURN_IF_ERROR(HashToGroupPoint(*c, mode, input, c->p));
  if (!EC_POINT_mul(c->group, c->q, nullptr, c->p, c->s, c->bn)) return OpenSslError("blinding");
  BN_clear(c->s);
  Blinded b;
  b.blind = blind;
  VIGIE_RETURN_IF_ERROR(PointToElement(*c, c->q, b.element.data()));
  return b;
}

Result<Blinded> Blind(Mode mode, std::string_view input) {
  Scalar blind{};
  for (int tries = 0; tries < 64; ++tries) {
    if (RAND_priv_bytes(blind.data(), static_cast<int>(blind.size())) != 1) return OpenSslError("RAND_priv_bytes");
    if ((LessThanOrder(blind.data()) & 1) && !IsZero32(blind.data())) return BlindWith(mode, input, blind);
  }
  return Status::Internal("the random generator keeps producing out-of-range scalars");
}

Result<Output> Finalize(std::string_view input, const Scalar& blind, const Element& evaluated) {
  VIGIE_RETURN_IF_ERROR(CheckInputLength(input));
  Ctx* c = Tls();
  if (!c) return OpenSslError("setting up P-256");
  VIGIE_RETURN_IF_ERROR(ElementToPoint(*c, evaluated, c->p));
  VIGIE_RETURN_IF_ERROR(LoadSecretScalar(blind, c->s));
  // blind^-1 = blind^(n-2) mod n, in constant time.
  if (!BN_mod_exp_mont_consttime(c->t, c->s, c->order_minus_2, c->order(), c->bn, c->mont_n) ||
      !EC_POINT_mul(c->group, c->q, nullptr, c->p, c->t, c->bn)) {
    return OpenSslError("unblinding");
  }
  BN_clear(c->s);
  BN_clear(c->t);
  uint8_t unblinded[kElementBytes];
  VIGIE_RETURN_IF_ERROR(PointToElement(*c, c->q, unblinded));
  Output out;
  FinalizeHash(input, unblinded, out.data());
  return out;
}

// ---- server ------------------------------------------------------------------------------------------------

Result<Element> BlindEvaluate(const OprfKey& key, const Element& blinded) {
  Ctx* c = Tls();
  if (!c) return OpenSslError("setting up P-256");
  VIGIE_RETURN_IF_ERROR(ElementToPoint(*c, blinded, c->p));
  if (!EC_POINT_mul(c->group, c->q, nullptr, c->p, KeyBn(key), c->bn)) return OpenSslError("evaluating");
  Element out;
  VIGIE_RETURN_IF_ERROR(PointToElement(*c, c->q, out.data()));
  return out;
}

Status BlindEvaluateBatch(const OprfKey& key, std::span<const Element> blinded, std::span<Element> evaluated) {
  if (blinded.size() != evaluated.size()) {
    return Status::InvalidArgument("oprf.batch", "one output slot per blinded element is needed");
  }
  for (size_t i = 0; i < blinded.size(); ++i) {
    Result<Element> e = BlindEvaluate(key, blinded[i]);
    if (!e.ok()) return e.status().WithContext("element " + std::to_string(i));
    evaluated[i] = *e;
  }
  return Status::Ok();
}

Result<Output> Evaluate(Mode mode, const OprfKey& key, std::string_view input) {
  VIGIE_RETURN_IF_ERROR(CheckInputLength(input));
  Ctx* c = Tls();
  if (!c) return OpenSslError("setting up P-256");
  VIGIE_RETURN_IF_ERROR(HashToGroupPoint(*c, mode, input, c->p));
  if (!EC_POINT_mul(c->group, c->q, nullptr, c->p, KeyBn(key), c->bn)) return OpenSslError("evaluating");
  uint8_t issued[kElementBytes];
  VIGIE_RETURN_IF_ERROR(PointToElement(*c, c->q, issued));
  Output out;
  FinalizeHash(input, issued, out.data());
  return out;
}

Status EvaluateBatch(const OprfKey& key, std::span<const std::string_view> inputs, uint8_t* outputs) {
  Ctx* c = Tls();
  if (!c) return OpenSslError("setting up P-256");
  constexpr size_t kChunk = 64;
  const std::string& dst = Dst(Mode::kOprf, 0);
  h2c::ProjectivePoint pts[kChunk];
  Fe zs[kChunk], inv[kChunk], scratch[kChunk];
  for (size_t base = 0; base < inputs.size(); base += kChunk) {
    const size_t n = std::min(kChunk, inputs.size() - base);
    // 1. hash to curve, projective, then one shared inversion for the affine coordinates.
    for (size_t i = 0; i < n; ++i) {
      VIGIE_RETURN_IF_ERROR(CheckInputLength(inputs[base + i]));
      if (!h2c::HashToCurve(inputs[base + i], dst, &pts[i])) return Status::Internal("hash-to-curve failed");
      zs[i] = pts[i].Z;
    }
    p256::FeBatchInv(inv, zs, scratch, static_cast<unsigned>(n));
    // 2. into OpenSSL, multiply by the key.
    for (size_t i = 0; i < n; ++i) {
      if (p256::FeIsZero(zs[i])) return IdentityError().WithContext("input " + std::to_string(base + i));
      Fe ax, ay;
      uint8_t x[32], y[32];
      p256::FeMul(&ax, pts[i].X, inv[i]);
      p256::FeMul(&ay, pts[i].Y, inv[i]);
      p256::FeToBytes(x, ax);
      p256::FeToBytes(y, ay);
      EC_POINT* pt = c->Pool(i);
      if (!pt) return OpenSslError("allocating points");
      VIGIE_RETURN_IF_ERROR(SetAffine(*c, x, y, c->p));
      if (!EC_POINT_mul(c->group, pt, nullptr, c->p, KeyBn(key), c->bn)) return OpenSslError("evaluating");
    }
    // 3. encode the results with one more shared inversion: get Jacobian (X, Y, Z), affine X/Z^2, Y/Z^3.
    for (size_t i = 0; i < n; ++i) {
      uint8_t b[32];
      if (!EC_POINT_get_Jprojective_coordinates_GFp(c->group, c->Pool(i), c->x, c->y, c->z, c->bn) ||
          BN_bn2binpad(c->x, b, 32) != 32 || !p256::FeFromBytes(&pts[i].X, b) || BN_bn2binpad(c->y, b, 32) != 32 ||
          !p256::FeFromBytes(&pts[i].Y, b) || BN_bn2binpad(c->z, b, 32) != 32 || !p256::FeFromBytes(&zs[i], b)) {
        return OpenSslError("reading a point");
      }
    }
    p256::FeBatchInv(inv, zs, scratch, static_cast<unsigned>(n));
    for (size_t i = 0; i < n; ++i) {
      if (p256::FeIsZero(zs[i])) return IdentityError().WithContext("input " + std::to_string(base + i));
      Fe zi2, ax, ay;
      p256::FeSqr(&zi2, inv[i]);
      p256::FeMul(&ax, pts[i].X, zi2);
      p256::FeMul(&zi2, zi2, inv[i]);
      p256::FeMul(&ay, pts[i].Y, zi2);
      uint8_t element[kElementBytes];
      element[0] = static_cast<uint8_t>(0x02 | p256::FeSgn0(ay));
      p256::FeToBytes(element + 1, ax);
      FinalizeHash(inputs[base + i], element, outputs + (base + i) * kOutputBytes);
    }
  }
  return Status::Ok();
}

}  // namespace vigie::oprf
