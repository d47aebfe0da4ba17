// The `vigie-index` subcommands: each takes its options struct, calls core/, prints a human summary (or
// JSON) to stdout, and returns the Status for main() to turn into an exit code.
#pragma once

#include <string>
#include <vector>

#include "core/index.h"
#include "core/indexer.h"

namespace vigie::cli {

struct CreateCommand {
  std::string index_dir;
  std::string scheme = "sha256";
  int prefix_hex = 5;
  int suffix_hex = 0;  // 0: scheme default
  bool allow_unkeyed_nir = false;
  bool padding = false;
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

struct AddCommand {
  std::string index_dir;
  std::string breach;
  std::string input;
  std::vector<std::string> kinds;    // --kind, repeated
  std::vector<std::string> columns;  // --column, paired with --kind by position
  std::string format = "auto";       // auto | csv | tsv | lines
  std::string delimiter;             // one character; empty: detect
  int header = -1;                   // -1 auto
  int threads = 0;
  size_t memory_mb = 1024;
  std::string rejects_path;
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

}  // namespace vigie::cli
