// RFC 9497 oblivious PRF, suite P256-SHA256, in OPRF mode (the tags of oprf-p256 indexes, PRODUCT.md §3)
// and VOPRF mode (batched DLEQ proofs, so that clients can check the server uses its published key).
//
// Wire types are fixed-size byte arrays: elements are 33-byte compressed SEC1 points, scalars 32-byte
// big-endian integers in [1, n). Every function that takes bytes from outside validates them strictly and
// returns an InvalidArgument Status with a reason slug: "oprf.point" (wrong length or prefix, x not on the
// curve), "oprf.scalar" (wrong length, zero or >= the group order), "oprf.identity" (an input hashes to, or
// an evaluation yields, the identity), "oprf.proof" (a DLEQ proof does not verify), "oprf.batch"
// (mismatched or empty batches), "oprf.key" (key derivation failed).
//
// Secrets: the server key (OprfKey) and a client's blind are held in BIGNUMs flagged BN_FLG_CONSTTIME and
// multiplied with EC_POINT_mul, which is constant-time on P-256; hash-to-curve is constant-time in the
// input bytes (core/hash_to_curve.h). Secret bytes are wiped when an OprfKey dies.
//
// Thread-safety: free functions use per-thread OpenSSL scratch and may run concurrently; an OprfKey is
// immutable after construction and may be shared by any number of threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigie::oprf {

enum class Mode : uint8_t { kOprf = 0, kVoprf = 1 };

inline constexpr size_t kElementBytes = 33;
inline constexpr size_t kScalarBytes = 32;
inline constexpr size_t kOutputBytes = 32;
inline constexpr size_t kProofBytes = 64;

using Element = std::array<uint8_t, kElementBytes>;
using Scalar = std::array<uint8_t, kScalarBytes>;
using Output = std::array<uint8_t, kOutputBytes>;
using Proof = std::array<uint8_t, kProofBytes>;  // c || s

// "OPRFV1-" || mode byte || "-P256-SHA256".
std::string ContextString(Mode mode);

// Strict decoding: exactly 33 bytes, prefix 02 or 03, x < p and x^3 - 3x + b a square. (The identity
// has no such encoding; OpenSSL's lone 00 byte is refused by the length check.)
Status ParseElement(std::span<const uint8_t> bytes, Element* out);
// Exactly 32 bytes, 0 < value < n.
Status ParseScalar(std::span<const uint8_t> bytes, Scalar* out);

// HashToGroup and HashToScalar of the suite, with the mode's DSTs.
Result<Element> HashToGroup(Mode mode, std::string_view input);
Result<Scalar> HashToScalar(Mode mode, std::string_view input);  // may be zero (probability ~2^-256)

// The server's secret key skS and its public key pkS = skS * G. Move-only; wipes the secret on
// destruction. Immutable after construction, so it may be shared across threads.
class OprfKey {
 public:
  // From a 32-byte big-endian scalar; "oprf.scalar" when zero or >= n.
  static Result<OprfKey> FromScalar(const Scalar& sk);
  // DeriveKeyPair(seed, info) of RFC 9497 §3.2.1 (the mode enters through the DST).
  static Result<OprfKey> Derive(Mode mode, std::span<const uint8_t> seed, std::span<const uint8_t> info);
  // A fresh random key from the OpenSSL private DRBG.
  static Result<OprfKey> Generate();

  OprfKey(OprfKey&&) noexcept;
  OprfKey& operator=(OprfKey&&) noexcept;
  ~OprfKey();

  const Scalar& secret() const;
  const Element& public_key() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit OprfKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- client ----------------------------------------------------------------------------------------
struct Blinded {
  Scalar blind;
  Element element;  // blind * HashToGroup(input), what goes on the wire
};
// Blind with a random blind (OpenSSL private DRBG).
Result<Blinded> Blind(Mode mode, std::string_view input);
// Blind with a given blind: for test vectors and deterministic tests only.
Result<Blinded> BlindWith(Mode mode, std::string_view input, const Scalar& blind);
// Hash(len(input) || input || len(N) || N || "Finalize") with N = blind^-1 * evaluated.
Result<Output> Finalize(std::string_view input, const Scalar& blind, const Element& evaluated);

// ---- server ----------------------------------------------------------------------------------------
// skS * blinded. Mode-independent.
Result<Element> BlindEvaluate(const OprfKey& key, const Element& blinded);
// The same for n elements; `evaluated` must have blinded.size() slots.
Status BlindEvaluateBatch(const OprfKey& key, std::span<const Element> blinded, std::span<Element> evaluated);

// The full PRF computed with the key (RFC 9497 Evaluate): what Finalize yields for a client that blinded
// `input`. One hash-to-curve and one scalar multiplication.
Result<Output> Evaluate(Mode mode, const OprfKey& key, std::string_view input);
// Evaluate in OPRF mode for every input, writing inputs.size() x 32 bytes to `outputs`. Amortises the
// inversions of a batch; the indexer's path. Fails as a whole ("oprf.identity", naming the index) only
// for an input that hashes to the identity, which no one can find.
Status EvaluateBatch(const OprfKey& key, std::span<const std::string_view> inputs, uint8_t* outputs);

// ---- VOPRF proofs (always with the VOPRF context string) -------------------------------------------
// Batched DLEQ proof that every evaluated[i] = skS * blinded[i] (RFC 9497 §2.2.1, ComputeCompositesFast).
// `r` is the proof randomness; nullptr draws it from the private DRBG (give one only for test vectors).
Result<Proof> GenerateProof(const OprfKey& key, std::span<const Element> blinded, std::span<const Element> evaluated,
                            const Scalar* r = nullptr);
// The client's check (RFC 9497 §2.2.2, ComputeComposites). OK or "oprf.proof".
Status VerifyProof(const Element& public_key, std::span<const Element> blinded, std::span<const Element> evaluated,
                   const Proof& proof);

}  // namespace vigie::oprf
