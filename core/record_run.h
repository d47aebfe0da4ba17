// Records and runs: the add pipeline's intermediate form (core/indexer.h). A record is
// [kind:1][truncated tag:T][count:u32 LE, password indexes only][zero padding], R bytes in all, R a multiple
// of 4. Records sort by their first 1+T bytes, so equal identifiers end up adjacent and a bucket (kind,
// prefix) is one contiguous stretch. A run is a worker's records partitioned by (kind, first 16 tag bits)
// with an offset table — in memory, or spilled to a file in staging/ and mapped back read-only, so that
// memory stays bounded whatever the dump size.
//
// Ownership: a Run owns its buffer or its mapping. Not thread-safe; a Run is read by merge threads only
// after it is complete (const methods).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/codec.h"
#include "core/status.h"

namespace vigie {

inline constexpr uint32_t kPartitions = 4u << 16;  // kind (4 values) x first 16 tag bits
inline constexpr size_t kMaxRecordSize = 40;

struct RecordLayout {
  size_t tag_bytes = 0;  // T
  size_t key_bytes = 0;  // 1 + T
  size_t size = 0;       // R
  bool counts = false;

  RecordLayout(const TagLayout& layout, bool with_counts) {
    tag_bytes = layout.truncated_tag_bytes();
    key_bytes = 1 + tag_bytes;
    counts = with_counts;
    size = (key_bytes + (counts ? 4 : 0) + 3) / 4 * 4;
  }
  static uint32_t PartitionOf(const uint8_t* rec) {
    return static_cast<uint32_t>(rec[0] - 1) << 16 | static_cast<uint32_t>(rec[1]) << 8 | rec[2];
  }
  uint32_t CountOf(const uint8_t* rec) const {
    uint32_t c;
    std::memcpy(&c, rec + key_bytes, 4);
    return c;
  }
};

// Sorts n records of the given size in place (by their bytes as big-endian words, which orders their keys).
using SortFn = void (*)(uint8_t* data, size_t n, size_t key_bytes);
// The sort for a record size, or nullptr for a size no layout produces.
SortFn PickSort(size_t record_size);

class Run {
 public:
  Run() = default;
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;
  Run(Run&& o) noexcept { *this = std::move(o); }
  Run& operator=(Run&& o) noexcept;
  ~Run();

  // Partitions `records` (n records of `size` bytes) by counting sort; `records` is emptied.
  static Run FromBuffer(std::vector<uint8_t>* records, size_t size);
  // Writes the partitioned records to `path` and maps them back read-only, releasing the memory.
  Status SpillTo(const std::string& path);
  // Drops the mapped pages of partitions [first, last) from memory once merged: they are file-backed and
  // reclaimable anyway, but this keeps the resident size flat however large the dump.
  void Release(uint32_t first, uint32_t last, size_t record_size) const;

  uint32_t begin(uint32_t partition) const { return offsets_[partition]; }
  uint32_t end(uint32_t partition) const { return offsets_[partition + 1]; }
  const uint8_t* data() const { return data_; }

 private:
  std::vector<uint32_t> offsets_;
  std::vector<uint8_t> owned_;
  void* map_ = nullptr;
  size_t map_len_ = 0;
  const uint8_t* data_ = nullptr;
};

}  // namespace vigie
