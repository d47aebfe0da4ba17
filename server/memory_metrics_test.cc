#include "server/memory_metrics.h"

#include <doctest/doctest.h>

#include <cstring>
#include <memory>

namespace vigie::serve {
namespace {

TEST_CASE("process memory: malloc's in-use figure follows an allocation, resident memory is read") {
  const ProcessMemory before = ReadProcessMemory();
  CHECK(before.resident_bytes > 0);
  CHECK(before.heap_held_bytes >= before.heap_in_use_bytes);
  constexpr size_t kBlock = size_t{32} << 20;
  auto block = std::make_unique<char[]>(kBlock);
  std::memset(block.get(), 1, kBlock);  // touched, so it is resident
  const ProcessMemory during = ReadProcessMemory();
  CHECK(during.resident_bytes >= before.resident_bytes + kBlock / 2);
#if defined(__SANITIZE_ADDRESS__)
  // ASan replaces malloc: glibc's counters (mallinfo2) do not see this block, so only residency is checked.
  CHECK(during.heap_in_use_bytes < before.heap_in_use_bytes + kBlock);
#else
  CHECK(during.heap_in_use_bytes >= before.heap_in_use_bytes + kBlock);
  block.reset();
  const ProcessMemory after = ReadProcessMemory();
  CHECK(after.heap_in_use_bytes + kBlock <= during.heap_in_use_bytes);
#endif
}

TEST_CASE("memory metrics: every gauge is rendered with its value") {
  const std::string text = RenderMemoryMetrics(
      {.resident_bytes = 11, .heap_in_use_bytes = 22, .heap_held_bytes = 33},
      {.table_readers_bytes = 44, .block_cache_bytes = 55, .memtable_bytes = 66, .table_files = 7}, 3);
  for (const char* line :
       {"vigie_process_resident_bytes 11\n", "vigie_heap_in_use_bytes 22\n", "vigie_heap_held_bytes 33\n",
        "vigie_rocksdb_table_readers_bytes 44\n", "vigie_rocksdb_block_cache_bytes 55\n",
        "vigie_rocksdb_memtable_bytes 66\n", "vigie_rocksdb_table_files 7\n", "vigie_index_states_alive 3\n"}) {
    CHECK_MESSAGE(text.find(line) != std::string::npos, line);
  }
}

}  // namespace
}  // namespace vigie::serve
