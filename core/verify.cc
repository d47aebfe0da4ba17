#include "core/verify.h"

#include <algorithm>

namespace vigie {

namespace {

// Scans every bucket; decoding problems go to `problems` when given, else end the scan as Corruption.
Status Scan(const Index& index, IndexScan* scan, std::vector<std::string>* problems) {
  const size_t suffix_bytes = index.layout().suffix_bytes();
  std::unique_ptr<IndexCursor> it = index.NewCursor();
  Bucket bucket;
  for (it->Seek(std::string(1, kBucketKeyTag)); it->Valid() && it->key()[0] == kBucketKeyTag; it->Next()) {
    Kind kind;
    uint32_t prefix;
    std::string_view key = it->key();
    if (!ParseBucketKey(key, &kind, &prefix) || prefix >= index.layout().bucket_count()) {
      std::string problem = "malformed bucket key of " + std::to_string(key.size()) + " bytes";
      if (!problems) return Status::Corruption(problem);
      problems->push_back(problem);
      continue;
    }
    Status s = DecodeBucket(it->value(), suffix_bytes, &bucket);
    if (!s.ok()) {
      std::string problem =
          std::string(KindName(kind)) + " bucket " + index.layout().PrefixHex(prefix) + ": " + s.message();
      if (!problems) return Status::Corruption(problem);
      problems->push_back(problem);
      continue;
    }
    KindScan& k = scan->kinds[kind];
    const uint64_t n = bucket.size();
    k.min_bucket = k.buckets == 0 ? n : std::min(k.min_bucket, n);
    k.max_bucket = std::max(k.max_bucket, n);
    k.buckets++;
    k.identifiers += n;
    k.memberships += bucket.members.size();
    k.bucket_bytes += it->value().size();
    for (size_t e = 0; e < n; ++e) {
      auto ms = bucket.members_of(e);
      if (ms.empty() && problems) {
        problems->push_back(std::string(KindName(kind)) + " bucket " + index.layout().PrefixHex(prefix) +
                            ": an entry belongs to no breach");
      }
      for (const Membership& m : ms) scan->breach_counts[m.breach_id][kind]++;
    }
  }
  return it->status();
}

}  // namespace

Result<IndexScan> ScanIndex(const Index& index) {
  IndexScan scan;
  VIGIE_RETURN_IF_ERROR(Scan(index, &scan, nullptr));
  return scan;
}

Result<VerifyReport> VerifyIndex(const Index& index) {
  VerifyReport report;
  Status checksums = index.VerifyChecksums();
  if (!checksums.ok()) report.problems.push_back(checksums.message());
  VIGIE_RETURN_IF_ERROR(Scan(index, &report.scan, &report.problems));

  // Every key outside the bucket range must be a known catalogue record.
  std::unique_ptr<IndexCursor> it = index.NewCursor();
  for (it->Seek(std::string(1, kBucketKeyTag + 1)); it->Valid(); it->Next()) {
    std::string_view key = it->key();
    if (key == kMetaKey) continue;
    if (key.starts_with(kBreachKeyPrefix)) continue;
    if (key.starts_with(kDumpKeyPrefix)) {
      DumpRecord dump;
      Status s = DecodeDump(it->value(), &dump);
      if (!s.ok())
        report.problems.push_back(s.message());
      else if (!index.breaches().count(dump.breach)) {
        report.problems.push_back("a dump record names breach '" + dump.breach + "', which is not defined");
      }
      continue;
    }
    report.problems.push_back("unknown key in the catalogue range (" + std::to_string(key.size()) + " bytes)");
  }
  VIGIE_RETURN_IF_ERROR(it->status());

  for (const auto& [id, by_kind] : report.scan.breach_counts) {
    if (!index.BreachNameForId(id)) {
      uint64_t n = 0;
      for (const auto& [kind, c] : by_kind) n += c;
      report.problems.push_back(std::to_string(n) + " identifiers belong to breach id " + std::to_string(id) +
                                ", which no breach record has");
    }
  }
  for (const auto& [name, breach] : index.breaches()) {
    uint64_t total = 0;
    auto found = report.scan.breach_counts.find(breach.id);
    std::map<std::string, uint64_t> by_kind;
    if (found != report.scan.breach_counts.end()) {
      for (const auto& [kind, c] : found->second) {
        total += c;
        by_kind[std::string(KindName(kind))] = c;
      }
    }
    if (total != breach.count) {
      report.problems.push_back("breach '" + name + "': the catalogue says " + std::to_string(breach.count) +
                                " identifiers, the buckets hold " + std::to_string(total));
    }
    for (const auto& [kind, c] : breach.count_by_kind) {
      if (c != 0 && by_kind[kind] != c) {
        report.problems.push_back("breach '" + name + "', kind " + kind + ": the catalogue says " + std::to_string(c) +
                                  ", the buckets hold " + std::to_string(by_kind[kind]));
      }
    }
  }
  return report;
}

}  // namespace vigie
