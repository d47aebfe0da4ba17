// The vigie-check commands, separated from main() so that tests drive them with string streams.
// Each returns the process exit code (grep's convention, see vigie_check.cc).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "core/lookup.h"

namespace vigie::cli {

struct NormalizeCommand {
  std::string kind;
  std::vector<std::string> values;  // empty: read lines from `in`
};
int RunNormalize(const NormalizeCommand& cmd, std::istream& in, std::ostream& out, std::ostream& err);

struct LookupCommand {
  std::string index_dir;
  std::string key_path;  // oprf-p256: the server key (default: the path the index recorded)
  std::string kind;
  bool json = false;
  std::vector<std::string> values;  // empty: read lines from `in`
};
int RunLookup(const LookupCommand& cmd, std::istream& in, std::ostream& out, std::ostream& err);

// One result the way both local and remote look-ups print it (the n-th input, 1-based; JSON or text).
void PrintLookupResult(const LookupResult& result, Kind kind, bool json, uint64_t n, std::ostream& out);

}  // namespace vigie::cli
