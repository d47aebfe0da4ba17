// VOPRF proofs (RFC 9497 §2.2): the batched DLEQ proof a server adds to its evaluations in verifiable mode,
// and its verification — always with the VOPRF context string, whatever mode the evaluated elements are of.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "core/oprf.h"
#include "core/oprf_internal.h"

namespace vigie::oprf {

using namespace internal;

namespace {

void AppendElement(std::string* out, const uint8_t* e) {
  PutU16(out, kElementBytes);
  out->append(reinterpret_cast<const char*>(e), kElementBytes);
}

Status CheckBatch(std::span<const Element> c, std::span<const Element> d) {
  if (c.empty() || c.size() != d.size() || c.size() > 0xffff) {
    return Status::InvalidArgument("oprf.batch", "a proof covers 1 to 65535 pairs of blinded and evaluated elements");
  }
  return Status::Ok();
}

// The composite weights d_i (RFC 9497 §2.2.1) and M = sum d_i C_i; when `z` is given also Z = sum d_i D_i.
Status Composites(Ctx& c, const Element& pk, std::span<const Element> blinded, std::span<const Element> evaluated,
                  EC_POINT* m, EC_POINT* z) {
  const std::string& seed_dst = Dst(Mode::kVoprf, 3);
  std::string transcript;
  AppendElement(&transcript, pk.data());
  PutU16(&transcript, seed_dst.size());
  transcript += seed_dst;
  uint8_t seed[32];
  SHA256(reinterpret_cast<const uint8_t*>(transcript.data()), transcript.size(), seed);
  if (!EC_POINT_set_to_infinity(c.group, m) || (z && !EC_POINT_set_to_infinity(c.group, z))) {
    return OpenSslError("composites");
  }
  EC_POINT* ci = c.Pool(0);
  EC_POINT* tmp = c.Pool(1);
  if (!ci || !tmp) return OpenSslError("allocating points");
  for (size_t i = 0; i < blinded.size(); ++i) {
    transcript.clear();
    PutU16(&transcript, sizeof seed);
    transcript.append(reinterpret_cast<const char*>(seed), sizeof seed);
    PutU16(&transcript, i);
    AppendElement(&transcript, blinded[i].data());
    AppendElement(&transcript, evaluated[i].data());
    transcript += "Composite";
    VIGIE_RETURN_IF_ERROR(HashToScalarBn(c, transcript, Dst(Mode::kVoprf, 1), c.z));
    VIGIE_RETURN_IF_ERROR(ElementToPoint(c, blinded[i], ci).WithContext("blinded element " + std::to_string(i)));
    if (!EC_POINT_mul(c.group, tmp, nullptr, ci, c.z, c.bn) || !EC_POINT_add(c.group, m, m, tmp, c.bn)) {
      return OpenSslError("composites");
    }
    if (z) {
      VIGIE_RETURN_IF_ERROR(ElementToPoint(c, evaluated[i], ci).WithContext("evaluated element " + std::to_string(i)));
      if (!EC_POINT_mul(c.group, tmp, nullptr, ci, c.z, c.bn) || !EC_POINT_add(c.group, z, z, tmp, c.bn)) {
        return OpenSslError("composites");
      }
    }
  }
  return Status::Ok();
}

// HashToScalar(len||pk || len||M || len||Z || len||t2 || len||t3 || "Challenge").
Status Challenge(Ctx& c, const Element& pk, const EC_POINT* m, const EC_POINT* z, const EC_POINT* t2,
                 const EC_POINT* t3, BIGNUM* out) {
  std::string transcript;
  AppendElement(&transcript, pk.data());
  for (const EC_POINT* p : {m, z, t2, t3}) {
    uint8_t e[kElementBytes];
    VIGIE_RETURN_IF_ERROR(PointToElement(c, p, e));
    AppendElement(&transcript, e);
  }
  transcript += "Challenge";
  return HashToScalarBn(c, transcript, Dst(Mode::kVoprf, 1), out);
}

}  // namespace

Result<Proof> GenerateProof(const OprfKey& key, std::span<const Element> blinded, std::span<const Element> evaluated,
                            const Scalar* r) {
  VIGIE_RETURN_IF_ERROR(CheckBatch(blinded, evaluated));
  Ctx* c = Tls();
  if (!c) return OpenSslError("setting up P-256");
  EC_POINT *m = c->p, *z = c->q, *t2 = c->r, *t3 = c->Pool(2);
  if (!t3) return OpenSslError("allocating points");
  VIGIE_RETURN_IF_ERROR(Composites(*c, key.public_key(), blinded, evaluated, m, nullptr));
  if (!EC_POINT_mul(c->group, z, nullptr, m, KeyBn(key), c->bn)) return OpenSslError("proof");
  Scalar rs{};
  if (r) {
    rs = *r;
  } else {
    do {
      if (RAND_priv_bytes(rs.data(), static_cast<int>(rs.size())) != 1) return OpenSslError("RAND_priv_bytes");
    } while (!(LessThanOrder(rs.data()) & 1) || IsZero32(rs.data()));
  }
  VIGIE_RETURN_IF_ERROR(LoadSecretScalar(rs, c->s));
  if (!EC_POINT_mul(c->group, t2, c->s, nullptr, nullptr, c->bn) ||
      !EC_POINT_mul(c->group, t3, nullptr, m, c->s, c->bn)) {
    return OpenSslError("proof");
  }
  BIGNUM* ch = c->x;
  VIGIE_RETURN_IF_ERROR(Challenge(*c, key.public_key(), m, z, t2, t3, ch));
  // s = r - c * k mod n; c * k by Montgomery multiplication (constant-time in k).
  Proof proof;
  uint8_t ck[32];
  if (!BN_to_montgomery(c->t, KeyBn(key), c->mont_n, c->bn) ||
      !BN_mod_mul_montgomery(c->t, ch, c->t, c->mont_n, c->bn) || BN_bn2binpad(c->t, ck, 32) != 32 ||
      BN_bn2binpad(ch, proof.data(), 32) != 32) {
    return OpenSslError("proof");
  }
  ScalarSubModN(rs.data(), ck, proof.data() + 32);
  OPENSSL_cleanse(rs.data(), rs.size());
  OPENSSL_cleanse(ck, sizeof ck);
  BN_clear(c->s);
  BN_clear(c->t);
  return proof;
}

Status VerifyProof(const Element& public_key, std::span<const Element> blinded, std::span<const Element> evaluated,
                   const Proof& proof) {
  VIGIE_RETURN_IF_ERROR(CheckBatch(blinded, evaluated));
  Ctx* c = Tls();
  if (!c) return OpenSslError("setting up P-256");
  if (!(LessThanOrder(proof.data()) & 1) || !(LessThanOrder(proof.data() + 32) & 1)) {
    return ScalarError("a proof scalar is not below the group order");
  }
  EC_POINT *m = c->p, *z = c->q, *t2 = c->r, *t3 = c->Pool(2), *pk = c->Pool(3);
  if (!t3 || !pk) return OpenSslError("allocating points");
  VIGIE_RETURN_IF_ERROR(ElementToPoint(*c, public_key, pk).WithContext("public key"));
  VIGIE_RETURN_IF_ERROR(Composites(*c, public_key, blinded, evaluated, m, z));
  BIGNUM *pc = c->y, *ps = c->z;
  EC_POINT* tmp = c->Pool(4);
  if (!tmp || !BN_bin2bn(proof.data(), 32, pc) || !BN_bin2bn(proof.data() + 32, 32, ps) ||
      !EC_POINT_mul(c->group, t2, ps, pk, pc, c->bn) ||      // s G + c pkS
      !EC_POINT_mul(c->group, t3, nullptr, m, ps, c->bn) ||  // s M + c Z
      !EC_POINT_mul(c->group, tmp, nullptr, z, pc, c->bn) || !EC_POINT_add(c->group, t3, t3, tmp, c->bn)) {
    return OpenSslError("verifying a proof");
  }
  BIGNUM* expected = c->x;
  VIGIE_RETURN_IF_ERROR(Challenge(*c, public_key, m, z, t2, t3, expected));
  uint8_t e[32];
  if (BN_bn2binpad(expected, e, 32) != 32) return OpenSslError("verifying a proof");
  if (CRYPTO_memcmp(e, proof.data(), 32) != 0) {
    return Status::InvalidArgument("oprf.proof", "the server's proof does not verify against its public key");
  }
  return Status::Ok();
}

}  // namespace vigie::oprf
