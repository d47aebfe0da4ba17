#include "core/p256_field.h"

namespace vigie::p256 {
namespace {

__extension__ typedef unsigned __int128 u128;

constexpr uint64_t kP[4] = {0xffffffffffffffffull, 0x00000000ffffffffull, 0, 0xffffffff00000001ull};
// 2^512 mod p: multiplying by it enters Montgomery form.
constexpr Fe kR2 = {{0x0000000000000003ull, 0xfffffffbffffffffull, 0xfffffffffffffffeull, 0x00000004fffffffdull}};
// 2^768 mod p: for the high half of a 48-byte value.
constexpr Fe kR3 = {{0xfffffffd0000000aull, 0xffffffedfffffff7ull, 0x00000005fffffffcull, 0x0000001800000001ull}};
constexpr Fe kOne = {{0x0000000000000001ull, 0xffffffff00000000ull, 0xffffffffffffffffull, 0x00000000fffffffeull}};
constexpr Fe kZero = {{0, 0, 0, 0}};
constexpr Fe kB = {{0xd89cdf6229c4bddfull, 0xacf005cd78843090ull, 0xe5a220abf7212ed6ull, 0xdc30061d04874834ull}};

// r = t - p if t (5 limbs, t < 2p) >= p, else t; by masks.
inline void ReduceOnce(Fe* r, uint64_t t0, uint64_t t1, uint64_t t2, uint64_t t3, uint64_t t4) {
  u128 d = static_cast<u128>(t0) - kP[0];
  uint64_t s0 = static_cast<uint64_t>(d);
  d = static_cast<u128>(t1) - kP[1] - static_cast<uint64_t>((d >> 64) & 1);
  uint64_t s1 = static_cast<uint64_t>(d);
  d = static_cast<u128>(t2) - kP[2] - static_cast<uint64_t>((d >> 64) & 1);
  uint64_t s2 = static_cast<uint64_t>(d);
  d = static_cast<u128>(t3) - kP[3] - static_cast<uint64_t>((d >> 64) & 1);
  uint64_t s3 = static_cast<uint64_t>(d);
  d = static_cast<u128>(t4) - static_cast<uint64_t>((d >> 64) & 1);
  uint64_t keep = 0 - static_cast<uint64_t>((d >> 64) & 1);  // borrow: t < p, keep t
  r->v[0] = (t0 & keep) | (s0 & ~keep);
  r->v[1] = (t1 & keep) | (s1 & ~keep);
  r->v[2] = (t2 & keep) | (s2 & ~keep);
  r->v[3] = (t3 & keep) | (s3 & ~keep);
}

// Montgomery multiplication (CIOS). -p^-1 mod 2^64 = 1 for this p, so the reduction multiplier is t0.
// Inputs need only be < 2^256 with a*b < 2^256 * p; the output is < p.
inline void MontMulPortable(Fe* r, const uint64_t* a, const uint64_t* b) {
  uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
  for (int i = 0; i < 4; ++i) {
    const uint64_t bi = b[i];
    u128 acc = static_cast<u128>(a[0]) * bi + t0;
    t0 = static_cast<uint64_t>(acc);
    acc = static_cast<u128>(a[1]) * bi + t1 + (acc >> 64);
    t1 = static_cast<uint64_t>(acc);
    acc = static_cast<u128>(a[2]) * bi + t2 + (acc >> 64);
    t2 = static_cast<uint64_t>(acc);
    acc = static_cast<u128>(a[3]) * bi + t3 + (acc >> 64);
    t3 = static_cast<uint64_t>(acc);
    acc = static_cast<u128>(t4) + (acc >> 64);
    t4 = static_cast<uint64_t>(acc);
    const uint64_t t5 = static_cast<uint64_t>(acc >> 64);

    const uint64_t m = t0;
    acc = static_cast<u128>(m) * kP[0] + t0;
    acc = static_cast<u128>(m) * kP[1] + t1 + (acc >> 64);
    t0 = static_cast<uint64_t>(acc);
    acc = static_cast<u128>(t2) + (acc >> 64);  // kP[2] == 0
    t1 = static_cast<uint64_t>(acc);
    acc = static_cast<u128>(m) * kP[3] + t3 + (acc >> 64);
    t2 = static_cast<uint64_t>(acc);
    acc = static_cast<u128>(t4) + (acc >> 64);
    t3 = static_cast<uint64_t>(acc);
    t4 = t5 + static_cast<uint64_t>(acc >> 64);
  }
  ReduceOnce(r, t0, t1, t2, t3, t4);
}

#if defined(__x86_64__) && !defined(VIGIE_P256_PORTABLE)
#define VIGIE_P256_ASM 1
// Same algorithm as MontMulPortable with the special reduction of p (t + m p = t + m 2^96 + m p3 2^192
// past the cancelled low word), written out because GCC's code for the __int128 carry chains is twice
// as slow. Plain mul/adc: runs on every x86-64, with or without BMI2/ADX.
// Montgomery multiplication mod p256 in x86-64 baseline assembly (mul/adc, no BMI2/ADX needed).
constexpr uint64_t kAsmP1 = 0x00000000ffffffffull;
constexpr uint64_t kAsmP3 = 0xffffffff00000001ull;
#define VIGIE_ROUND_MUL(OFF, A0, A1, A2, A3, A4, A5) \
  "movq " OFF                                        \
  "(%[b]), %%rax\n\t"                                \
  "mulq 0(%[a])\n\t"                                 \
  "addq %%rax, %" A0                                 \
  "\n\t"                                             \
  "adcq $0, %%rdx\n\t"                               \
  "movq %%rdx, %[t1]\n\t"                            \
  "movq " OFF                                        \
  "(%[b]), %%rax\n\t"                                \
  "mulq 8(%[a])\n\t"                                 \
  "addq %[t1], %" A1                                 \
  "\n\t"                                             \
  "adcq $0, %%rdx\n\t"                               \
  "addq %%rax, %" A1                                 \
  "\n\t"                                             \
  "adcq $0, %%rdx\n\t"                               \
  "movq %%rdx, %[t1]\n\t"                            \
  "movq " OFF                                        \
  "(%[b]), %%rax\n\t"                                \
  "mulq 16(%[a])\n\t"                                \
  "addq %[t1], %" A2                                 \
  "\n\t"                                             \
  "adcq $0, %%rdx\n\t"                               \
  "addq %%rax, %" A2                                 \
  "\n\t"                                             \
  "adcq $0, %%rdx\n\t"                               \
  "movq %%rdx, %[t1]\n\t"                            \
  "movq " OFF                                        \
  "(%[b]), %%rax\n\t"                                \
  "mulq 24(%[a])\n\t"                                \
  "addq %[t1], %" A3                                 \
  "\n\t"                                             \
  "adcq $0, %%rdx\n\t"                               \
  "addq %%rax, %" A3                                 \
  "\n\t"                                             \
  "adcq %%rdx, %" A4                                 \
  "\n\t"                                             \
  "movq $0, %" A5                                    \
  "\n\t"                                             \
  "adcq $0, %" A5 "\n\t"
// t + m*p with m = A0: + (m << 96) + m*p3*2^192; the low word cancels.
#define VIGIE_ROUND_RED(A0, A1, A2, A3, A4, A5) \
  "movq %" A0                                   \
  ", %[t0]\n\t"                                 \
  "movq %" A0                                   \
  ", %[t1]\n\t"                                 \
  "shlq $32, %[t0]\n\t"                         \
  "shrq $32, %[t1]\n\t"                         \
  "movq %" A0                                   \
  ", %%rax\n\t"                                 \
  "mulq %[p3]\n\t"                              \
  "addq %[t0], %" A1                            \
  "\n\t"                                        \
  "adcq %[t1], %" A2                            \
  "\n\t"                                        \
  "adcq %%rax, %" A3                            \
  "\n\t"                                        \
  "adcq %%rdx, %" A4                            \
  "\n\t"                                        \
  "adcq $0, %" A5 "\n\t"

// a and b are overwritten (as scratch) before r is last read: they must be early-clobber, or a compiler
// may give r the same register when r == a (an in-place multiply; clang does under ASan).
inline void MontMulAsm(uint64_t* r, const uint64_t* a_in, const uint64_t* b_in) {
  uint64_t acc0, acc1, acc2, acc3, acc4, acc5, t0, t1;
  const uint64_t* a = a_in;
  const uint64_t* b = b_in;
  __asm__ volatile(
      // round 0: acc0..acc4 = a * b0 (acc4 = top word), acc5 = 0
      "movq 0(%[b]), %%rax\n\t"
      "mulq 0(%[a])\n\t"
      "movq %%rax, %[acc0]\n\t"
      "movq %%rdx, %[acc1]\n\t"
      "movq 0(%[b]), %%rax\n\t"
      "mulq 8(%[a])\n\t"
      "addq %%rax, %[acc1]\n\t"
      "adcq $0, %%rdx\n\t"
      "movq %%rdx, %[acc2]\n\t"
      "movq 0(%[b]), %%rax\n\t"
      "mulq 16(%[a])\n\t"
      "addq %%rax, %[acc2]\n\t"
      "adcq $0, %%rdx\n\t"
      "movq %%rdx, %[acc3]\n\t"
      "movq 0(%[b]), %%rax\n\t"
      "mulq 24(%[a])\n\t"
      "addq %%rax, %[acc3]\n\t"
      "adcq $0, %%rdx\n\t"
      "movq %%rdx, %[acc4]\n\t"
      "xorl %k[acc5], %k[acc5]\n\t" VIGIE_ROUND_RED("[acc0]", "[acc1]", "[acc2]", "[acc3]", "[acc4]", "[acc5]")
          VIGIE_ROUND_MUL("8", "[acc1]", "[acc2]", "[acc3]", "[acc4]", "[acc5]", "[acc0]")
              VIGIE_ROUND_RED("[acc1]", "[acc2]", "[acc3]", "[acc4]", "[acc5]", "[acc0]")
                  VIGIE_ROUND_MUL("16", "[acc2]", "[acc3]", "[acc4]", "[acc5]", "[acc0]", "[acc1]")
                      VIGIE_ROUND_RED("[acc2]", "[acc3]", "[acc4]", "[acc5]", "[acc0]", "[acc1]")
                          VIGIE_ROUND_MUL("24", "[acc3]", "[acc4]", "[acc5]", "[acc0]", "[acc1]", "[acc2]")
                              VIGIE_ROUND_RED("[acc3]", "[acc4]", "[acc5]", "[acc0]", "[acc1]", "[acc2]")
      // result (acc4, acc5, acc0, acc1) with top word acc2 (< 2p): subtract p unless that borrows.
      "movq %[acc4], %[t0]\n\t"
      "movq %[acc5], %[t1]\n\t"
      "movq %[acc0], %[a]\n\t"
      "movq %[acc1], %[b]\n\t"
      "subq $-1, %[acc4]\n\t"
      "sbbq %[p1], %[acc5]\n\t"
      "sbbq $0, %[acc0]\n\t"
      "sbbq %[p3], %[acc1]\n\t"
      "sbbq $0, %[acc2]\n\t"
      "cmovcq %[t0], %[acc4]\n\t"
      "cmovcq %[t1], %[acc5]\n\t"
      "cmovcq %[a], %[acc0]\n\t"
      "cmovcq %[b], %[acc1]\n\t"
      "movq %[acc4], 0(%[r])\n\t"
      "movq %[acc5], 8(%[r])\n\t"
      "movq %[acc0], 16(%[r])\n\t"
      "movq %[acc1], 24(%[r])\n\t"
      : [acc0] "=&r"(acc0), [acc1] "=&r"(acc1), [acc2] "=&r"(acc2), [acc3] "=&r"(acc3), [acc4] "=&r"(acc4),
        [acc5] "=&r"(acc5), [t0] "=&r"(t0), [t1] "=&r"(t1), [a] "+&r"(a), [b] "+&r"(b)
      : [r] "r"(r), [p1] "m"(kAsmP1), [p3] "m"(kAsmP3)
      : "rax", "rdx", "cc", "memory");
}
#undef VIGIE_ROUND_MUL
#undef VIGIE_ROUND_RED

inline void MontMul(Fe* r, const uint64_t* a, const uint64_t* b) { MontMulAsm(r->v, a, b); }
#else
inline void MontMul(Fe* r, const uint64_t* a, const uint64_t* b) { MontMulPortable(r, a, b); }
#endif

inline void SqrN(Fe* r, const Fe& a, int n) {
  *r = a;
  for (int i = 0; i < n; ++i) MontMul(r, r->v, r->v);
}

}  // namespace

const Fe& FeZero() { return kZero; }
const Fe& FeOne() { return kOne; }
const Fe& FeB() { return kB; }

void FeMul(Fe* r, const Fe& a, const Fe& b) { MontMul(r, a.v, b.v); }
void FeMulPortable(Fe* r, const Fe& a, const Fe& b) { MontMulPortable(r, a.v, b.v); }
void FeSqr(Fe* r, const Fe& a) { MontMul(r, a.v, a.v); }

void FeAdd(Fe* r, const Fe& a, const Fe& b) {
  u128 acc = static_cast<u128>(a.v[0]) + b.v[0];
  uint64_t t0 = static_cast<uint64_t>(acc);
  acc = static_cast<u128>(a.v[1]) + b.v[1] + (acc >> 64);
  uint64_t t1 = static_cast<uint64_t>(acc);
  acc = static_cast<u128>(a.v[2]) + b.v[2] + (acc >> 64);
  uint64_t t2 = static_cast<uint64_t>(acc);
  acc = static_cast<u128>(a.v[3]) + b.v[3] + (acc >> 64);
  uint64_t t3 = static_cast<uint64_t>(acc);
  ReduceOnce(r, t0, t1, t2, t3, static_cast<uint64_t>(acc >> 64));
}

void FeSub(Fe* r, const Fe& a, const Fe& b) {
  u128 d = static_cast<u128>(a.v[0]) - b.v[0];
  uint64_t t0 = static_cast<uint64_t>(d);
  d = static_cast<u128>(a.v[1]) - b.v[1] - static_cast<uint64_t>((d >> 64) & 1);
  uint64_t t1 = static_cast<uint64_t>(d);
  d = static_cast<u128>(a.v[2]) - b.v[2] - static_cast<uint64_t>((d >> 64) & 1);
  uint64_t t2 = static_cast<uint64_t>(d);
  d = static_cast<u128>(a.v[3]) - b.v[3] - static_cast<uint64_t>((d >> 64) & 1);
  uint64_t t3 = static_cast<uint64_t>(d);
  const uint64_t mask = 0 - static_cast<uint64_t>((d >> 64) & 1);  // borrow: add p back
  u128 acc = static_cast<u128>(t0) + (kP[0] & mask);
  r->v[0] = static_cast<uint64_t>(acc);
  acc = static_cast<u128>(t1) + (kP[1] & mask) + (acc >> 64);
  r->v[1] = static_cast<uint64_t>(acc);
  acc = static_cast<u128>(t2) + (kP[2] & mask) + (acc >> 64);
  r->v[2] = static_cast<uint64_t>(acc);
  acc = static_cast<u128>(t3) + (kP[3] & mask) + (acc >> 64);
  r->v[3] = static_cast<uint64_t>(acc);
}

void FeNeg(Fe* r, const Fe& a) { FeSub(r, kZero, a); }

uint64_t FeIsZero(const Fe& a) {
  const uint64_t x = a.v[0] | a.v[1] | a.v[2] | a.v[3];
  // (x | -x) has its top bit set iff x != 0.
  return ((x | (0 - x)) >> 63) - 1;
}

uint64_t FeEqual(const Fe& a, const Fe& b) {
  Fe d;
  d.v[0] = a.v[0] ^ b.v[0];
  d.v[1] = a.v[1] ^ b.v[1];
  d.v[2] = a.v[2] ^ b.v[2];
  d.v[3] = a.v[3] ^ b.v[3];
  return FeIsZero(d);
}

void FeCmov(Fe* r, const Fe& a, uint64_t mask) {
  for (int i = 0; i < 4; ++i) r->v[i] = (r->v[i] & ~mask) | (a.v[i] & mask);
}

uint64_t FeSgn0(const Fe& a) {
  static constexpr uint64_t kRaw1[4] = {1, 0, 0, 0};
  Fe c;
  MontMul(&c, a.v, kRaw1);  // leave Montgomery form
  return c.v[0] & 1;
}

// Addition chains over the runs of ones in the exponents (the shape of p makes them short).
void FeInv(Fe* r, const Fe& a) {
  Fe x2, x3, x6, x12, x15, x30, x32, t;
  FeSqr(&t, a);
  FeMul(&x2, t, a);  // 2^2 - 1
  FeSqr(&t, x2);
  FeMul(&x3, t, a);
  SqrN(&t, x3, 3);
  FeMul(&x6, t, x3);
  SqrN(&t, x6, 6);
  FeMul(&x12, t, x6);
  SqrN(&t, x12, 3);
  FeMul(&x15, t, x3);
  SqrN(&t, x15, 15);
  FeMul(&x30, t, x15);
  SqrN(&t, x30, 2);
  FeMul(&x32, t, x2);
  // p - 2 = ffffffff 00000001 [96 zeros] ffffffff ffffffff fffffffd
  SqrN(&t, x32, 32);
  FeMul(&t, t, a);
  SqrN(&t, t, 128);
  FeMul(&t, t, x32);
  SqrN(&t, t, 32);
  FeMul(&t, t, x32);
  SqrN(&t, t, 30);
  FeMul(&t, t, x30);
  SqrN(&t, t, 2);
  FeMul(r, t, a);
}

void FePowC1(Fe* r, const Fe& a) {
  Fe x2, x3, x6, x12, x15, x30, x32, t;
  FeSqr(&t, a);
  FeMul(&x2, t, a);
  FeSqr(&t, x2);
  FeMul(&x3, t, a);
  SqrN(&t, x3, 3);
  FeMul(&x6, t, x3);
  SqrN(&t, x6, 6);
  FeMul(&x12, t, x6);
  SqrN(&t, x12, 3);
  FeMul(&x15, t, x3);
  SqrN(&t, x15, 15);
  FeMul(&x30, t, x15);
  SqrN(&t, x30, 2);
  FeMul(&x32, t, x2);
  // (p - 3) / 4 = 3fffffff c0000000 40000000 [64 zeros] 3fffffff ffffffff ffffffff:
  // 32 ones, 31 zeros, one 1, 96 zeros, 94 ones.
  SqrN(&t, x32, 32);
  FeMul(&t, t, a);
  SqrN(&t, t, 128);
  FeMul(&t, t, x32);
  SqrN(&t, t, 32);
  FeMul(&t, t, x32);
  SqrN(&t, t, 30);
  FeMul(r, t, x30);
}

uint64_t FeSqrt(Fe* r, const Fe& a) {
  Fe y, check;
  FePowC1(&y, a);
  FeMul(&y, y, a);  // a^((p+1)/4)
  FeSqr(&check, y);
  *r = y;
  return FeEqual(check, a);
}

bool FeFromBytes(Fe* r, const uint8_t in[32]) {
  uint64_t raw[4];
  for (int i = 0; i < 4; ++i) {
    uint64_t w = 0;
    for (int j = 0; j < 8; ++j) w = (w << 8) | in[(3 - i) * 8 + j];
    raw[i] = w;
  }
  // raw < p iff raw - p borrows.
  u128 d = static_cast<u128>(raw[0]) - kP[0];
  for (int i = 1; i < 4; ++i) d = static_cast<u128>(raw[i]) - kP[i] - static_cast<uint64_t>((d >> 64) & 1);
  const bool less = ((d >> 64) & 1) != 0;
  MontMul(r, raw, kR2.v);
  return less;
}

void FeToBytes(uint8_t out[32], const Fe& a) {
  static constexpr uint64_t kRaw1[4] = {1, 0, 0, 0};
  Fe c;
  MontMul(&c, a.v, kRaw1);
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 8; ++j) out[(3 - i) * 8 + j] = static_cast<uint8_t>(c.v[i] >> (56 - 8 * j));
  }
}

void FeFromWide48(Fe* r, const uint8_t in[48]) {
  uint64_t lo[4], hi[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4; ++i) {
    uint64_t w = 0;
    for (int j = 0; j < 8; ++j) w = (w << 8) | in[16 + (3 - i) * 8 + j];
    lo[i] = w;
  }
  for (int i = 0; i < 2; ++i) {
    uint64_t w = 0;
    for (int j = 0; j < 8; ++j) w = (w << 8) | in[(1 - i) * 8 + j];
    hi[i] = w;
  }
  // value = hi * 2^256 + lo; in Montgomery form hi * 2^512 + lo * 2^256.
  Fe a, b;
  MontMul(&a, hi, kR3.v);
  MontMul(&b, lo, kR2.v);
  FeAdd(r, a, b);
}

void FeBatchInv(Fe* r, const Fe* a, Fe* scratch, unsigned n) {
  if (n == 0) return;
  Fe acc = kOne;
  for (unsigned i = 0; i < n; ++i) {
    Fe ai = a[i];
    FeCmov(&ai, kOne, FeIsZero(a[i]));
    FeMul(&acc, acc, ai);
    scratch[i] = acc;
  }
  Fe inv;
  FeInv(&inv, acc);
  for (unsigned i = n; i-- > 0;) {
    const uint64_t zero = FeIsZero(a[i]);
    Fe ai = a[i];
    FeCmov(&ai, kOne, zero);
    Fe ri;
    if (i > 0) {
      FeMul(&ri, inv, scratch[i - 1]);
    } else {
      ri = inv;
    }
    FeMul(&inv, inv, ai);
    FeCmov(&ri, kZero, zero);
    r[i] = ri;
  }
}

}  // namespace vigie::p256
