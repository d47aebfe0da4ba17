// The private path's figures for an index (`vigie-tool set-build`, bench/README.md "Private path"): how long
// building each kind's set takes from the index, and what it weighs — entries, tag bits T, bits per entry
// against the bound T - log2 N + 2 (PRODUCT.md §7), shard sizes. Builds exactly what vigie-serve and the
// export serve (PublishedSet::Build), without serving it.
//
// Thread-safety: a free function; it opens the index read-only (beside a writer is fine).
#pragma once

#include <string>
#include <vector>

#include "core/kind.h"
#include "core/status.h"

namespace vigie {

struct SetFigures {
  Kind kind = Kind::kNir;
  double seconds = 0;    // PublishedSet::Build, wall clock
  uint64_t entries = 0;  // N
  int shard_bits = 0;
  int tag_bits = 0;            // T
  uint64_t bytes = 0;          // `all`
  uint64_t payload_bits = 0;   // the bit streams alone (no headers, combinations, CRC or padding)
  uint64_t largest_shard = 0;  // bytes
  double bits_per_entry() const { return entries ? double(bytes) * 8 / double(entries) : 0; }
  double stream_bits_per_entry() const { return entries ? double(payload_bits) / double(entries) : 0; }
  double bound() const;  // T - log2 N + 2
};

// `shard_bits` < 0: the index's own.
Result<std::vector<SetFigures>> MeasureSets(const std::string& index_dir, int shard_bits);
std::string SetFiguresText(const std::vector<SetFigures>& figures);
std::string SetFiguresJson(const std::vector<SetFigures>& figures);

}  // namespace vigie
