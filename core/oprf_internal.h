// Internals shared by the OPRF implementation files (core/oprf.cc: keys, client, server; core/oprf_proof.cc:
// VOPRF proofs): per-thread OpenSSL objects, scalar helpers and point encodings. Not part of the OPRF API —
// include only from core/oprf*.cc.
//
// Thread-safety: Tls() gives each thread its own Ctx; the functions are otherwise pure.
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/oprf.h"

namespace vigie::oprf {

// The key's secret scalar as a constant-time BIGNUM (only read after construction).
const BIGNUM* KeyBn(const OprfKey& key);

namespace internal {

// Per-thread OpenSSL objects: an EC_GROUP and BN_CTX are not safe to share between threads while in use.
struct Ctx {
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  BN_CTX* bn = BN_CTX_new();
  BIGNUM *x = BN_new(), *y = BN_new(), *z = BN_new(), *s = BN_new(), *t = BN_new();
  BIGNUM* order_minus_2 = BN_new();
  BN_MONT_CTX* mont_n = BN_MONT_CTX_new();
  EC_POINT *p = nullptr, *q = nullptr, *r = nullptr;
  std::vector<EC_POINT*> pool;  // grows to the largest batch chunk seen
  bool ok = false;

  Ctx() {
    if (!group || !bn || !x || !y || !z || !s || !t || !order_minus_2 || !mont_n) return;
    p = EC_POINT_new(group);
    q = EC_POINT_new(group);
    r = EC_POINT_new(group);
    const BIGNUM* n = EC_GROUP_get0_order(group);
    ok = p && q && r && n && BN_copy(order_minus_2, n) && BN_sub_word(order_minus_2, 2) &&
         BN_MONT_CTX_set(mont_n, n, bn);
    BN_set_flags(s, BN_FLG_CONSTTIME);
    BN_set_flags(t, BN_FLG_CONSTTIME);
  }
  ~Ctx() {
    for (EC_POINT* e : pool) EC_POINT_free(e);
    EC_POINT_free(p);
    EC_POINT_free(q);
    EC_POINT_free(r);
    BN_clear_free(s);
    BN_clear_free(t);
    for (BIGNUM* b : {x, y, z, order_minus_2}) BN_free(b);
    BN_MONT_CTX_free(mont_n);
    BN_CTX_free(bn);
    EC_GROUP_free(group);
  }
  const BIGNUM* order() const { return EC_GROUP_get0_order(group); }
  EC_POINT* Pool(size_t i) {
    while (pool.size() <= i) {
      EC_POINT* e = EC_POINT_new(group);
      if (!e) return nullptr;
      pool.push_back(e);
    }
    return pool[i];
  }
};

Ctx* Tls();
// Domain separation tags: which 0 HashToGroup, 1 HashToScalar, 2 DeriveKeyPair, 3 Seed.
const std::string& Dst(Mode mode, int which);
Status OpenSslError(const char* what);
Status ScalarError(std::string message);
void PutU16(std::string* out, size_t v);
// All ones (as a mask) when the 32-byte big-endian scalar is below the group order.
uint64_t LessThanOrder(const uint8_t a[32]);
bool IsZero32(const uint8_t a[32]);
void ScalarSubModN(const uint8_t a[32], const uint8_t b[32], uint8_t out[32]);
Status ElementToPoint(Ctx& c, std::span<const uint8_t> in, EC_POINT* out);
Status PointToElement(Ctx& c, const EC_POINT* p, uint8_t out[kElementBytes]);
// HashToScalar with an explicit DST: expand to 48 bytes, reduce mod n.
Status HashToScalarBn(Ctx& c, std::string_view msg, std::string_view dst, BIGNUM* out);
Status LoadSecretScalar(const Scalar& s, BIGNUM* out);

}  // namespace internal
}  // namespace vigie::oprf
