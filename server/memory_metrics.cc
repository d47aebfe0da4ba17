#include "server/memory_metrics.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace vigie::serve {

ProcessMemory ReadProcessMemory() {
  ProcessMemory m;
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0, resident_pages = 0;
  if (statm >> size_pages >> resident_pages) {
    m.resident_bytes = resident_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  }
  const struct mallinfo2 info = mallinfo2();
  m.heap_in_use_bytes = info.uordblks + info.hblkhd;
  m.heap_held_bytes = info.arena + info.hblkhd;
  return m;
}

std::string RenderMemoryMetrics(const ProcessMemory& process, const Index::MemoryUsage& index, uint64_t live_states) {
  std::string out;
  auto gauge = [&](const char* name, const char* help, uint64_t value) {
    char line[320];
    std::snprintf(line, sizeof line, "# HELP %s %s\n# TYPE %s gauge\n%s %llu\n", name, help, name, name,
                  static_cast<unsigned long long>(value));
    out += line;
  };
  gauge("vigie_process_resident_bytes", "Resident memory of the server process.", process.resident_bytes);
  gauge("vigie_heap_in_use_bytes", "C heap handed out by malloc and not freed.", process.heap_in_use_bytes);
  gauge("vigie_heap_held_bytes", "C heap malloc holds from the system (in use or free for reuse).",
        process.heap_held_bytes);
  gauge("vigie_rocksdb_table_readers_bytes", "RocksDB table readers (index and filter blocks) of the served state.",
        index.table_readers_bytes);
  gauge("vigie_rocksdb_block_cache_bytes", "RocksDB block cache of the served state.", index.block_cache_bytes);
  gauge("vigie_rocksdb_memtable_bytes", "RocksDB memtables of the served state.", index.memtable_bytes);
  gauge("vigie_rocksdb_table_files", "Table files in the served state.", index.table_files);
  gauge("vigie_index_states_alive", "Index states alive: the served one plus old ones still in use.", live_states);
  return out;
}

}  // namespace vigie::serve
