// The read stage of AddDump (core/indexer.h): the calling thread reads and decompresses the dump into
// chunks of whole lines (core/input_file.h); worker threads parse each line (core/csv.h), normalise the
// selected fields (core/normalize.h), tag them in batches (core/scheme.h) and append records to their run
// buffer (core/record_run.h), spilling a full buffer to staging/. Rejected rows are counted by reason.
//
// Thread-safety: ReadAndTag starts and joins its own workers; the Scheme must be thread-safe (they are).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/csv.h"
#include "core/index.h"
#include "core/input_file.h"
#include "core/record_run.h"
#include "core/scheme.h"
#include "core/status.h"

namespace vigie {

struct ResolvedColumn {
  Kind kind = Kind::kNir;
  int field = -1;  // 0-based field index; -1: the whole line
};

// What the reader needs to know about the input, worked out from its first line.
struct DumpShape {
  Dialect dialect;
  std::vector<ResolvedColumn> columns;
  size_t expected_fields = 0;  // fields of the header line (0: no header to compare with)
  bool joined_lines = false;   // lines come from CsvRecordJoiner: count its kJoinedLineBreak bytes as lines
};

struct TagStageOptions {
  int threads = 1;
  size_t memory_bytes = size_t{1} << 30;  // record buffers of all workers, before spilling
  bool keep_reject_lines = false;         // note the line number of every rejected row
  std::string spill_dir;                  // where full buffers go (the index's staging/)
  // Called about every 100 ms from the reading thread: bytes read, bytes in all, rows so far.
  std::function<void(uint64_t done, uint64_t total, uint64_t rows)> progress;
  std::string spill_name = "run";  // spill files are spill_dir/<spill_name>-N.bin (one name per archive member)
  uint64_t raw_size = 0;           // the input's stored size, for progress (0: unknown)
};

struct TaggedDump {
  std::vector<Run> runs;  // every worker's spilled runs and last buffer
  uint64_t spilled_runs = 0;
  uint64_t rows = 0;
  uint64_t identifiers = 0;
  std::map<std::string, uint64_t> rejects_by_reason;
  uint64_t rejected = 0;
  std::vector<std::pair<uint64_t, std::string_view>> reject_lines;  // (line, reason slug), unsorted
};

// Reads every chunk of `chunker` — starting with `first`, already read when `have_first` — tags the
// selected fields of every row into records of `records`' layout, and returns the runs and counts.
Result<TaggedDump> ReadAndTag(const Index& index, const Scheme& scheme, const RecordLayout& records,
                              const DumpShape& shape, LineChunker* chunker, Chunk first, bool have_first,
                              const TagStageOptions& options);

}  // namespace vigie
