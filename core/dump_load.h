// Stages 1 and 2 of AddDump (core/indexer.h): plan a load — the breach, the dump's digest, its members
// (core/dump_input.h) — then read and tag every member into runs, with counts per member and in all.
//
// An archive is one dump: one digest, one dump record, one commit; each member is read with its own
// format, header and columns, and reported on its own line. The load's selection (part of its identity,
// e.g. "nir@4") is the first member's.
//
// Thread-safety: as AddDump (one load at a time per Index).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/codec.h"
#include "core/dump_input.h"
#include "core/dump_tagger.h"
#include "core/index.h"
#include "core/indexer.h"
#include "core/record_run.h"
#include "core/scheme.h"
#include "core/status.h"

namespace vigie {

// What the load reads: known before any record is.
struct LoadPlan {
  BreachRecord breach;
  bool passwords = false;
  std::string digest_hex;
  std::string selection;  // the first member's kinds and 1-based columns ("nir@4,email@6")
  std::unique_ptr<DumpInput> input;
  // The first member, planned (its first chunk read): PlanLoad reads it to know the selection.
  DumpMember member;
  DumpShape shape;
  std::unique_ptr<LineChunker> chunker;
  Chunk first;
  bool have_first = false;
  bool have_member = false;
};

Result<LoadPlan> PlanLoad(const Index& index, const Scheme& scheme, const AddOptions& options);

struct ReadResult {
  TaggedDump all;                     // runs and counts over every member
  std::vector<MemberReport> members;  // one per member read
};

// Reads and tags every member of `plan` (the first is already planned).
Result<ReadResult> ReadMembers(const Index& index, const Scheme& scheme, const RecordLayout& records,
                               const AddOptions& options, int threads, LoadPlan* plan);

// Fails (exit 2 at the edge) when the load accepted no identifier ("add.no-identifiers") or rejected more
// than half of its rows ("add.too-many-rejects"), naming the main reasons; passes with --allow-rejects.
Status CheckRejectRate(const DumpRecord& dump, bool allow_rejects);

}  // namespace vigie
