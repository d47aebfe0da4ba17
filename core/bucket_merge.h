// The merge stage of AddDump (core/indexer.h): the records of every run (core/record_run.h) are gathered
// partition by partition, sorted, deduplicated and merged with the existing buckets of the index; every
// bucket that changed is written, in key order, to a table file of the update (core/sst_writer.h). Threads
// merge disjoint partition ranges — disjoint ranges of bucket keys — each into its own file.
//
// Thread-safety: MergeRange calls on disjoint ranges may run at once (the Index is only read).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/index.h"
#include "core/record_run.h"
#include "core/status.h"

namespace vigie {

struct KindStats {
  uint64_t new_to_index = 0;     // identifiers the index did not hold
  uint64_t already_present = 0;  // identifiers it held (in any breach)
  uint64_t new_to_breach = 0;    // memberships added to the breach
};

struct MergeResult {
  std::string sst_path;  // empty when nothing was written
  std::map<Kind, KindStats> stats;
  uint64_t buckets_written = 0;
  Status status;
};

// Merges partitions [first, last) of all runs into the buckets of `breach_id`, writing changed buckets to
// `sst_path`; *partitions_done counts progress.
void MergeRange(const Index& index, const RecordLayout& records, const std::vector<const Run*>& runs, uint32_t first,
                uint32_t last, uint32_t breach_id, const std::string& sst_path, std::atomic<uint64_t>* partitions_done,
                MergeResult* result);

// Runs `body(thread_index, first, last)` on `threads` threads over disjoint partition ranges covering
// [0, kPartitions), and joins them.
void ForPartitionRanges(int threads, const std::function<void(int, uint32_t, uint32_t)>& body);

// The first bucket key of a partition (kind, first 16 tag bits), for scans by partition range.
std::string PartitionStartKey(uint32_t partition, const TagLayout& layout);

}  // namespace vigie
