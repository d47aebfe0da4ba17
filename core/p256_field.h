// Arithmetic modulo the P-256 field prime p = 2^256 - 2^224 + 2^192 + 2^96 - 1, for hash-to-curve and
// point decoding (core/hash_to_curve.h, core/oprf.h), where OpenSSL's BIGNUM route costs ~10x more.
//
// Elements are 4 little-endian 64-bit limbs in Montgomery form (x * 2^256 mod p), always fully reduced.
// Every operation runs in time independent of the values (no secret-dependent branches or indices;
// selections use masks), because hashed identifiers are secret to the client and the indexer.
// Exponents (inversion, square roots) are public constants.
//
// Pure functions on caller-owned values: safe from any thread.
#pragma once

#include <cstdint>

namespace vigie::p256 {

struct Fe {
  uint64_t v[4];
};

// Constants in Montgomery form.
const Fe& FeZero();
const Fe& FeOne();
const Fe& FeB();  // the curve coefficient b (a = -3)

void FeAdd(Fe* r, const Fe& a, const Fe& b);
void FeSub(Fe* r, const Fe& a, const Fe& b);
void FeNeg(Fe* r, const Fe& a);
void FeMul(Fe* r, const Fe& a, const Fe& b);
void FeSqr(Fe* r, const Fe& a);
// The C version of FeMul, which x86-64 builds replace by inline assembly; exposed so tests compare them.
void FeMulPortable(Fe* r, const Fe& a, const Fe& b);
// a^(p-2): the inverse, and 0 for 0.
void FeInv(Fe* r, const Fe& a);
// a^((p-3)/4), the exponentiation inside square roots and sqrt_ratio (p = 3 mod 4).
void FePowC1(Fe* r, const Fe& a);
// Square root: returns an all-ones mask and sets *r when a is a square, else 0 (and *r is garbage).
uint64_t FeSqrt(Fe* r, const Fe& a);

// All-ones mask when a == 0 (resp. a == b), else 0.
uint64_t FeIsZero(const Fe& a);
uint64_t FeEqual(const Fe& a, const Fe& b);
// *r = a where mask is all ones; unchanged where mask is 0.
void FeCmov(Fe* r, const Fe& a, uint64_t mask);
// sgn0 of RFC 9380 §4.1 for a prime field: the parity of the canonical value (0 or 1).
uint64_t FeSgn0(const Fe& a);

// 32 big-endian bytes. FeFromBytes returns false (leaving *r unspecified) when the value is >= p.
bool FeFromBytes(Fe* r, const uint8_t in[32]);
void FeToBytes(uint8_t out[32], const Fe& a);
// Reduces any 48-byte big-endian integer mod p (hash_to_field with L = 48).
void FeFromWide48(Fe* r, const uint8_t in[48]);

// Batch inversion (Montgomery's trick): r[i] = 1/a[i] for n elements with one exponentiation.
// Zero inputs give zero outputs without disturbing the others. `scratch` holds n elements; r may alias a.
void FeBatchInv(Fe* r, const Fe* a, Fe* scratch, unsigned n);

}  // namespace vigie::p256
