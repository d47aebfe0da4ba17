// The vigie-check commands, separated from main() so that tests drive them with string streams.
// Each returns the process exit code (grep's convention, see vigie_check.cc).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace vigie::cli {

struct NormalizeCommand {
  std::string kind;
  std::vector<std::string> values;  // empty: read lines from `in`
};
int RunNormalize(const NormalizeCommand& cmd, std::istream& in, std::ostream& out, std::ostream& err);

struct LookupCommand {
  std::string index_dir;
  std::string kind;
  bool json = false;
  std::vector<std::string> values;  // empty: read lines from `in`
};
int RunLookup(const LookupCommand& cmd, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace vigie::cli
