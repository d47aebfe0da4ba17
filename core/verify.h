// Whole-index scans: statistics (ScanIndex) and the integrity check behind `vigie-index verify`.
//
// Thread-safety: both only read the index; they may run beside lookups.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/index.h"

namespace vigie {

struct KindScan {
  uint64_t buckets = 0;
  uint64_t identifiers = 0;
  uint64_t memberships = 0;
  uint64_t min_bucket = 0;
  uint64_t max_bucket = 0;
  uint64_t bucket_bytes = 0;  // encoded values
};

struct IndexScan {
  std::map<Kind, KindScan> kinds;
  // breach id -> kind -> identifiers found in buckets
  std::map<uint32_t, std::map<Kind, uint64_t>> breach_counts;
};

Result<IndexScan> ScanIndex(const Index& index);

struct VerifyReport {
  IndexScan scan;
  std::vector<std::string> problems;  // empty when the index is sound
  bool ok() const { return problems.empty(); }
};

// Checks block checksums, that every key is known, every bucket decodes (sorted distinct suffixes,
// ascending breach ids that all name defined breaches) and that the catalogue's counts equal the buckets'.
// A damaged index is a VerifyReport with problems, not an error; errors are for failing to read at all.
Result<VerifyReport> VerifyIndex(const Index& index);

}  // namespace vigie
