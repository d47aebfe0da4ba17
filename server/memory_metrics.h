// Memory gauges for GET /metrics: where the server's resident memory goes, so that growth under load (the
// soak, bench/soak.sh) can be told apart — the C heap (in use versus merely held by malloc), RocksDB's
// table readers, block cache and memtables of the served index state, and how many index states are still
// alive (an old state lives until its last request ends).
//
// Thread-safety: ReadProcessMemory() may be called from any thread; mallinfo2 takes each arena's lock
// while it walks the arena, so the server reads it at most once a second.
#pragma once

#include <cstdint>
#include <string>

#include "core/index.h"

namespace vigie::serve {

struct ProcessMemory {
  uint64_t resident_bytes = 0;     // VmRSS (/proc/self/statm)
  uint64_t heap_in_use_bytes = 0;  // malloc: bytes handed out and not yet freed (incl. mmapped chunks)
  uint64_t heap_held_bytes = 0;    // malloc: bytes taken from the system (arenas + mmapped chunks)
};

ProcessMemory ReadProcessMemory();

// Prometheus text for the gauges above, the served state's RocksDB usage and the live state count.
std::string RenderMemoryMetrics(const ProcessMemory& process, const Index::MemoryUsage& index, uint64_t live_states);

}  // namespace vigie::serve
