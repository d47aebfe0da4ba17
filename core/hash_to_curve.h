// Hashing to P-256 per RFC 9380, suite P256_XMD:SHA-256_SSWU_RO_ (expand_message_xmd with SHA-256,
// hash_to_field with L = 48, the simplified SWU map with Z = -10, h_eff = 1). OpenSSL has none.
//
// Two implementations: the fast one (straight-line SSWU with one exponentiation per map, Montgomery limbs
// from core/p256_field.h, complete projective addition, inversion left to the caller so that batches share
// one) used everywhere, and a plain BIGNUM transcription of the RFC (HashToCurveGeneric) kept as the
// reference the tests and the benchmark compare against.
//
// The fast path is constant-time in the message bytes' values (it depends only on their length);
// the generic one is not (BN_mod_sqrt, branches) and must not be used on secrets.
//
// Thread-safety: all functions are reentrant; the generic one allocates per call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/p256_field.h"

namespace vigie::h2c {

// expand_message_xmd (RFC 9380 §5.3.1) with SHA-256. Returns false when len > 8160 (255 blocks), len == 0
// or dst is longer than 255 bytes (the oversize-DST rule is not implemented: our DSTs are short).
bool ExpandMessageXmd(std::string_view msg, std::string_view dst, size_t len, uint8_t* out);

// hash_to_field(msg, 2) over the P-256 base field: u[0], u[1] in Montgomery form.
// Returns false only when the DST is longer than 255 bytes.
bool HashToFieldP256(std::string_view msg, std::string_view dst, p256::Fe u[2]);

// Homogeneous projective point (X:Y:Z), affine (X/Z, Y/Z); Z == 0 is the identity.
struct ProjectivePoint {
  p256::Fe X, Y, Z;
};

// map_to_curve_simple_swu (RFC 9380 §6.6.2 / Appendix F.2, with sqrt_ratio for p = 3 mod 4).
void MapToCurveSswu(const p256::Fe& u, ProjectivePoint* out);
// Complete addition (Renes-Costello-Batina 2016, Algorithm 4, a = -3): valid for every pair of inputs,
// doubling and the identity included.
void PointAdd(ProjectivePoint* r, const ProjectivePoint& a, const ProjectivePoint& b);

// hash_to_curve (Q0 + Q1), projective. Returns false only for an overlong DST.
bool HashToCurve(std::string_view msg, std::string_view dst, ProjectivePoint* out);
// Affine coordinates as 32-byte big-endian values; false for the identity (probability ~2^-256).
bool ToAffineBytes(const ProjectivePoint& p, uint8_t x[32], uint8_t y[32]);

// The reference transcription on OpenSSL BIGNUMs (RFC 9380 §6.6.2 as written, with BN_mod_sqrt and
// BN_mod_inverse). Same output as HashToCurve + ToAffineBytes; false on the identity or an OpenSSL error.
bool HashToCurveGeneric(std::string_view msg, std::string_view dst, uint8_t x[32], uint8_t y[32]);

}  // namespace vigie::h2c
