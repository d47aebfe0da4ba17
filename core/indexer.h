// Indexer: loads a dump into an index (AddDump) and takes a breach out of it (RemoveBreach).
//
// AddDump pipeline (ARCHITECTURE.md has the picture):
//   1. digest the file (XXH3-128 of its bytes) — a dump already loaded into the breach is skipped;
//   2. a reader thread cuts the decompressed input into chunks of whole lines; worker threads parse,
//      normalise and tag each selected field and append fixed-width records (kind, truncated tag, count)
//      to their run buffer; a full buffer is partitioned by its first 16 tag bits and spilled to disk
//      (memory stays within AddOptions::memory_bytes whatever the dump size);
//   3. merge: for each partition, in key order, the records of every run are sorted, deduplicated and
//      merged with the existing buckets; changed buckets go into SST files (one per merge thread);
//   4. commit: the bucket SSTs and a small catalogue SST (breach counts, the dump record, metadata) are
//      ingested in one atomic RocksDB call. Until then the index is untouched; a crash leaves staging
//      files that the next writable open removes.
//
// Thread-safety: one AddDump/RemoveBreach at a time per Index (the Index is the single writer).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/codec.h"
#include "core/dump_input.h"
#include "core/index.h"
#include "core/scheme.h"
#include "core/status.h"

namespace vigie {

// One identifier column to take from each row.
struct ColumnChoice {
  Kind kind = Kind::kNir;
  std::string column;  // header name, or 1-based number; empty: guess from the header, else whole line
};

// One member's counts (a plain file is one member named ""), for the report.
struct MemberReport {
  std::string name;
  std::string format;    // "csv", "lines", "sql", "json", "xlsx", "text"
  std::string encoding;  // "utf-8", "utf-16le", "windows-1252", …
  uint64_t rows = 0;
  uint64_t identifiers = 0;
  uint64_t rejected = 0;
  std::map<std::string, uint64_t> rejects_by_reason;
};

struct AddOptions {
  std::string breach;                 // must be defined
  std::string input_path;             // any shape core/dump_input.h reads
  std::vector<ColumnChoice> columns;  // at least one
  // How to read the input: format, delimiter, header, encoding, --table, --member, the expansion cap.
  // Its `passwords` and `json_columns` are set by AddDump from `columns`.
  DumpInputOptions input;
  int threads = 0;                        // 0: one per core
  size_t memory_bytes = size_t{1} << 30;  // budget for record buffers before spilling sorted runs
  std::string rejects_path;               // if set: "line<TAB>reason" for every rejected row (no content)
  bool allow_rejects = false;  // commit even when no identifier was accepted or over half the rows were rejected
  // Progress callback, called from the reader thread about every 100 ms. phase: "read" or "merge".
  std::function<void(std::string_view phase, uint64_t done, uint64_t total, uint64_t rows)> progress;
  // Test hook: called at named points of the pipeline ("after-open", "after-read", "before-commit").
  std::function<void(std::string_view point)> test_hook;
};

struct AddReport {
  bool skipped = false;  // the same file was already loaded into this breach
  std::string skip_reason;
  DumpRecord dump;                    // rows, identifiers, new/already present, rejects by reason, seconds
  std::vector<MemberReport> members;  // one per member read (a plain file: one)
  std::string container;              // "none", "gzip", "zstd", "zip", "tar", …
  uint64_t spilled_runs = 0;
  uint64_t buckets_written = 0;
  // Wall-clock seconds per phase: read+parse+tag, merge (sort, merge, write SSTs), commit (ingest).
  double read_seconds = 0, merge_seconds = 0, commit_seconds = 0;
};

Result<AddReport> AddDump(Index* index, const Scheme& scheme, const AddOptions& options);

struct RemoveReport {
  BreachRecord breach;
  uint64_t identifiers_removed = 0;  // memberships taken out
  uint64_t identifiers_gone = 0;     // identifiers that were only in this breach
  uint64_t buckets_rewritten = 0;
  uint64_t buckets_deleted = 0;
  double seconds = 0;
};

struct RemoveOptions {
  int threads = 0;
  std::function<void(std::string_view point)> test_hook;
};

Result<RemoveReport> RemoveBreach(Index* index, const std::string& breach, const RemoveOptions& options = {});

// Whether `kind` may be added to this index, and why not (e.g. NIRs in an unkeyed sha256 index).
Status CheckKindAllowed(const IndexMeta& meta, const Scheme& scheme, Kind kind);

}  // namespace vigie
