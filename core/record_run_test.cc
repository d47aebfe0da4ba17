// Records and runs (the add pipeline's intermediate form): each record size has a sort that orders keys
// as bytes; a run partitions records by (kind, first 16 tag bits) whatever their order; a spilled run
// maps back to the same partitions and bytes. Partition ranges of the merge cover every partition once.
#include "core/record_run.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <mutex>
#include <random>

#include "core/bucket_merge.h"
#include "tests/test_index.h"

namespace vigie {
namespace {

// n random records of `size` bytes with a valid kind byte (1..4); the key is the first key_bytes.
std::vector<uint8_t> RandomRecords(size_t n, size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(n * size);
  for (size_t i = 0; i < n; ++i) {
    for (size_t b = 0; b < size; ++b) out[i * size + b] = static_cast<uint8_t>(rng());
    out[i * size] = static_cast<uint8_t>(1 + rng() % 4);
  }
  return out;
}

TEST_CASE("record sorts order keys as bytes, for every layout the indexer makes") {
  for (int prefix_hex : {4, 5, 6}) {
    for (int suffix_hex : {8, 16, 35, 43}) {
      for (bool counts : {false, true}) {
        const RecordLayout layout(TagLayout{prefix_hex, suffix_hex}, counts);
        if (layout.size > kMaxRecordSize) continue;
        CAPTURE(layout.size);
        const SortFn sort = PickSort(layout.size);
        REQUIRE(static_cast<bool>(sort));
        std::vector<uint8_t> records = RandomRecords(2000, layout.size, static_cast<uint32_t>(layout.size));
        sort(records.data(), 2000, layout.key_bytes);
        for (size_t i = 1; i < 2000; ++i) {
          const uint8_t* a = records.data() + (i - 1) * layout.size;
          const uint8_t* b = records.data() + i * layout.size;
          CHECK(std::lexicographical_compare(b, b + layout.key_bytes, a, a + layout.key_bytes) == false);
        }
      }
    }
  }
  CHECK_FALSE(static_cast<bool>(PickSort(6)));
}

TEST_CASE("a run partitions its records; a spilled run maps back the same") {
  const size_t size = 12;
  std::vector<uint8_t> records = RandomRecords(5000, size, 1);
  const std::vector<uint8_t> original = records;
  Run run = Run::FromBuffer(&records, size);
  CHECK(records.empty());

  // Every record is in its own partition, and the partitions hold them all.
  auto check = [&](const Run& r) {
    std::vector<std::string> seen;
    for (uint32_t p = 0; p < kPartitions; ++p) {
      for (uint32_t i = r.begin(p); i < r.end(p); ++i) {
        const uint8_t* rec = r.data() + size_t{i} * size;
        CHECK(RecordLayout::PartitionOf(rec) == p);
        seen.emplace_back(reinterpret_cast<const char*>(rec), size);
      }
    }
    std::vector<std::string> expected;
    for (size_t i = 0; i < 5000; ++i) expected.emplace_back(reinterpret_cast<const char*>(&original[i * size]), size);
    std::sort(seen.begin(), seen.end());
    std::sort(expected.begin(), expected.end());
    CHECK(seen == expected);
  };
  check(run);

  testing::TempDir dir;
  REQUIRE(run.SpillTo(dir / "run.bin").ok());
  check(run);
  run.Release(0, kPartitions, size);  // dropping mapped pages loses nothing: they come back from the file
  check(run);
  CHECK_FALSE(run.SpillTo(dir / "missing-dir/run.bin").ok());
}

TEST_CASE("merge partition ranges: disjoint, in order, covering every partition") {
  for (int threads : {1, 2, 3, 7}) {
    std::mutex mu;
    std::vector<std::pair<uint32_t, uint32_t>> ranges;
    ForPartitionRanges(threads, [&](int, uint32_t first, uint32_t last) {
      std::lock_guard lock(mu);
      ranges.emplace_back(first, last);
    });
    std::sort(ranges.begin(), ranges.end());
    REQUIRE(ranges.size() == static_cast<size_t>(threads));
    CHECK(ranges.front().first == 0);
    CHECK(ranges.back().second == kPartitions);
    for (size_t i = 1; i < ranges.size(); ++i) CHECK(ranges[i].first == ranges[i - 1].second);
  }
  // Partition start keys are bucket keys in partition order.
  const TagLayout layout{5, 16};
  CHECK(PartitionStartKey(0, layout) < PartitionStartKey(1, layout));
  CHECK(PartitionStartKey(0xffff, layout) < PartitionStartKey(0x10000, layout));
  CHECK(PartitionStartKey(kPartitions - 1, layout) < PartitionStartKey(kPartitions, layout));
  Kind kind{};
  uint32_t prefix = 0;
  REQUIRE(ParseBucketKey(PartitionStartKey(0x10001, layout), &kind, &prefix));
  CHECK(kind == Kind::kEmail);
  CHECK(prefix == 0x10);  // first 16 tag bits 0x0001 of a 20-bit prefix
}

}  // namespace
}  // namespace vigie
