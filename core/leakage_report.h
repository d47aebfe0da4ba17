// The two reports of `vigie-tool` (leakage, bruteforce-rate) built from core/leakage.h, as text for people
// and JSON for scripts. docs/THREAT-MODEL.md quotes the text form.
//
// Thread-safety: Build* start their own threads (bruteforce) and share nothing; reports are values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/leakage.h"
#include "core/status.h"

namespace vigie::leakage {

struct LeakageOptions {
  std::vector<int> prefix_hex = {4, 5, 6};
  Assumptions assumptions;
  uint64_t profiles = 20000;  // known-person sample size (999 sha256 tags each)
  uint64_t seed = 1;
};

struct LeakageReport {
  LeakageOptions options;
  uint64_t communes = 0, countries_listed = 0, rule_places = 0;
  std::vector<Space> spaces;
  std::vector<FieldBits> fields;
  size_t communes_half = 0, communes_90 = 0;     // most populous communes holding 50% / 90% of the population
  std::vector<KnownPersonSample> samples;        // measured with the sha256 scheme
  std::vector<KnownPersonSample> shard_samples;  // the private path: s = 0..12, same profiles
};

// "leakage.prefix" for a prefix length outside 4..6.
Result<LeakageReport> BuildLeakageReport(const LeakageOptions& options);
std::string LeakageText(const LeakageReport& report);
std::string LeakageJson(const LeakageReport& report);

struct BruteForceOptions {
  double seconds = 3;
  int threads = 2;
  Assumptions assumptions;
};

struct BruteForceReport {
  BruteForceOptions options;
  std::vector<Space> spaces;
  // Each measured on 1 thread and on options.threads threads.
  Rate sha256_one, sha256_all, oprf_one, oprf_all, blind_one, blind_all;
};

Result<BruteForceReport> BuildBruteForceReport(const BruteForceOptions& options);
std::string BruteForceText(const BruteForceReport& report);
std::string BruteForceJson(const BruteForceReport& report);

// "950 ms", "4.2 s", "3.1 h (0.13 days)": a duration in seconds for people.
std::string HumanDuration(double seconds);

}  // namespace vigie::leakage
