// The `vigie-index` subcommands: each takes its options struct, calls core/, prints a human summary (or
// JSON) to stdout, and returns the Status for main() to turn into an exit code.
#pragma once

#include <string>
#include <vector>

#include "core/index.h"
#include "core/indexer.h"

namespace vigie::cli {

struct KeygenCommand {
  std::string key_path;
};
Status RunKeygen(const KeygenCommand& cmd);

struct CreateCommand {
  std::string index_dir;
  std::string scheme = "oprf-p256";  // the safe default for NIRs (PRODUCT.md §3)
  std::string key_path;              // oprf-p256 only, required there
  int prefix_hex = 5;
  int shard_bits = 6;  // the private path: 2^shard_bits shards per kind (PRODUCT.md §3b)
  int suffix_hex = 0;  // 0: scheme default
  bool allow_unkeyed_nir = false;
  bool padding = true;  // responses of one size: length reveals nothing (PRODUCT.md §6)
};
Status RunCreate(const CreateCommand& cmd);

struct DefineCommand {
  std::string index_dir;
  std::string breach;
  std::string title;
  std::string date;  // YYYY-MM-DD
  std::vector<std::string> data_classes;
  std::string description;
};
Status RunDefine(const DefineCommand& cmd);

// How `add` and `inspect` read a dump: the options they share.
struct DumpFlags {
  std::string format = "auto";  // auto | csv | tsv | lines | sql | json | xlsx | text
  std::string table;            // SQL table or xlsx sheet
  std::string member;           // archive members to read (glob)
  std::string encoding;         // empty: detected
};
// Fills the reading options from the flags (--format tsv also means a tab delimiter).
Status ApplyDumpFlags(const DumpFlags& flags, DumpInputOptions* options);

struct AddCommand {
  std::string index_dir;
  std::string breach;
  std::string input;
  std::vector<std::string> kinds;    // --kind, repeated
  std::vector<std::string> columns;  // --column, paired with --kind by position
  DumpFlags dump;                    // --format, --table, --member, --encoding
  std::string delimiter;             // one character; empty: detect
  int header = -1;                   // -1 auto
  int threads = 0;
  size_t memory_mb = 1024;
  std::string rejects_path;
  std::string key_path;  // oprf-p256: the key file, if not where the index recorded it
  double max_expanded_gb = 256;
  bool allow_rejects = false;
  bool json = false;
  bool progress = true;
};
Status RunAdd(const AddCommand& cmd);

struct RemoveCommand {
  std::string index_dir;
  std::string breach;
  bool json = false;
};
Status RunRemove(const RemoveCommand& cmd);

struct StatsCommand {
  std::string index_dir;
  bool json = false;
};
Status RunStats(const StatsCommand& cmd);

struct VerifyCommand {
  std::string index_dir;
  bool json = false;
};
Status RunVerify(const VerifyCommand& cmd);

// A padding key for a padded index that has none (made before `create` wrote one): INDEX/padding.key.
struct PaddingKeyCommand {
  std::string index_dir;
};
Status RunPaddingKey(const PaddingKeyCommand& cmd);

// Static export for a CDN or nginx (core/export.h, docs/EXPORT.md).
struct ExportCommand {
  std::string index_dir;
  std::string out_dir;
  std::string padding_key_file;  // empty: INDEX/padding.key when present (as vigie-serve does)
  bool all_kinds = false;
  std::string only;  // "", "v1" (no range/ tree) or "hibp" (no v1/range/ tree)
  int threads = 2;
  bool json = false;
};
Status RunExport(const ExportCommand& cmd);

}  // namespace vigie::cli
