// What a tag prefix reveals about an NIR, and what a brute force costs (docs/THREAT-MODEL.md, issue 5).
//
// The model: a plausible NIR is sex x two-digit year x month x birthplace (5-character code, NIR positions
// 6-10) x order 001-999; the key is a function of the rest, so it adds nothing. Birthplaces come from the
// embedded INSEE commune table (core/dump_tables.h) plus the foreign-country codes the plausibility rule
// accepts (core/nir.h). Every count here is a product of those factors; nothing is guessed from elsewhere.
//
// The measuring functions tag real candidate NIRs with a real Scheme (sha256, or oprf-p256 with a key), so
// the rates are those of our own code on this machine. A brute-forcer with a GPU or hand-tuned SHA-256 goes
// faster: the rates are a lower bound on an attacker's, never an upper one.
//
// Thread-safety: pure functions except Measure*, which start and join their own threads; a Birthplaces is
// a value.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/oprf.h"
#include "core/scheme.h"
#include "core/status.h"

namespace vigie::leakage {

inline constexpr int kOrders = 999;               // order numbers 001-999
inline constexpr int kForeignCountryCodes = 899;  // 99 + 101..999, what CheckNirPlausibility accepts

struct Birthplaces {
  std::vector<std::string> commune_codes;  // 5 characters, e.g. "75056", "2A004", "97101"
  std::vector<double> commune_population;  // same order; legal population
  std::vector<std::string> country_codes;  // "99xxx" from pays.tsv (a few frequent ones, rough weights)
  std::vector<double> country_weight;
};

// Parses the text of data/communes.tsv and data/pays.tsv ('#' lines skipped). "leakage.table" when a line
// does not have a 5-character code and a non-negative number.
Result<Birthplaces> ParseBirthplaces(std::string_view communes_tsv, std::string_view pays_tsv);
// The same from the tables embedded in the core library.
Result<Birthplaces> LoadEmbeddedBirthplaces();

// Number of 5-character birthplace codes (2 digits or 2A/2B, then 3 digits) CheckNirPlausibility accepts.
uint64_t CountRuleBirthplaceCodes();

// Birth years first..last map to two-digit year codes: min(100, span) distinct values.
int DistinctYearCodes(int first_year, int last_year);

// The canonical NIR (15 characters, key computed) of one candidate. `place` is a 5-character birthplace
// code; sex 0..9, yy 0..99, mm 0..99, order 0..999 (no plausibility check here).
std::string CandidateNir(int sex, int yy, int mm, std::string_view place, int order);
// The same into 15 bytes without allocating.
void FormatCandidate(char* out15, int sex, int yy, int mm, std::string_view place, int order);

struct Assumptions {
  int first_year = 1926;  // 100 years: every two-digit year code
  int last_year = 2025;
};

// One way of counting the plausible space.
struct Space {
  std::string name;
  std::string description;
  uint64_t sexes = 0, years = 0, months = 0, birthplaces = 0, orders = 0;
  uint64_t total() const { return sexes * years * months * birthplaces * orders; }
};
// Three spaces, narrowest first: people (sex 1-2) with months 01-12 and the commune table + every foreign
// code; the same with the unknown-month codes 20-99 as well; everything CheckNirPlausibility accepts.
std::vector<Space> PlausibleSpaces(const Birthplaces& places, const Assumptions& assumptions);

// Expected number of identifiers of a uniform space of `total` sharing one prefix of p hex digits.
double PerPrefix(double total, int prefix_hex);

// Shannon entropy in bits of a distribution given by non-negative weights (zeros ignored).
double ShannonBits(std::span<const double> weights);

struct FieldBits {
  std::string field;
  double uniform_bits = 0;   // log2 of the number of values
  double weighted_bits = 0;  // under the population distribution where we have one, else = uniform
  std::string note;
};
std::vector<FieldBits> FieldEntropies(const Birthplaces& places, const Assumptions& assumptions);
// How many communes, most populous first, hold `share` (0..1] of the population.
size_t CommunesCovering(const Birthplaces& places, double share);

// An observer knows a person's sex, year, month and commune and sees the prefix of their tag: how many of
// the other 998 candidates (orders) share it. Measured over random profiles (commune drawn by population,
// the person's own order uniform), for p = 4, 5, 6 — and, for the private path (PRODUCT.md §3b), how many
// share the person's shard: the first s bits of the tag, s = 0..12.
struct KnownPersonSample {
  int prefix_hex = 0;   // a range prefix of this many hex digits, or
  int shard_bits = -1;  // (>= 0) a private-path shard of this many bits
  uint64_t profiles = 0;
  uint64_t others_sharing = 0;  // summed over profiles
  uint64_t max_others = 0;      // the worst single profile
  int bits() const { return shard_bits >= 0 ? shard_bits : 4 * prefix_hex; }
  double mean_others() const { return profiles ? double(others_sharing) / double(profiles) : 0; }
  double expected_others() const { return (kOrders - 1) / std::pow(2.0, bits()); }
};
Result<std::vector<KnownPersonSample>> SampleKnownPerson(const Scheme& scheme, const Birthplaces& places,
                                                         const Assumptions& assumptions, uint64_t profiles,
                                                         uint64_t seed);

struct Rate {
  std::string what;
  int threads = 0;
  uint64_t operations = 0;
  double seconds = 0;      // wall clock
  double cpu_seconds = 0;  // CPU time of the measuring threads, summed: immune to other load on the box
  double per_second() const { return seconds > 0 ? double(operations) / seconds : 0; }
  // Throughput of one fully available core: what projections use (the work splits without sharing).
  double per_core_second() const { return cpu_seconds > 0 ? double(operations) / cpu_seconds : 0; }
};
// Enumerates candidate NIRs (format, key, tag) with `scheme` on `threads` threads for about `seconds`,
// 999 candidates (one person's orders) per ComputeTags call. Operations are candidates tagged.
Result<Rate> MeasureTagRate(const Scheme& scheme, double seconds, int threads);
// What the evaluation endpoint costs its server: BlindEvaluateBatch on pre-blinded elements, 64 a batch.
Result<Rate> MeasureBlindEvaluateRate(const oprf::OprfKey& key, double seconds, int threads);

}  // namespace vigie::leakage
