// `vigie-index inspect`: what a dump looks like to `add` — container, members, format, encoding,
// columns with how many sampled values are valid identifiers of each kind, masked samples, and the `add`
// command that would load it.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "indexer/index_commands.h"

namespace vigie::cli {

struct InspectCommand {
  std::string input;
  std::vector<std::string> kinds;  // only suggest these (default: every kind some column holds)
  DumpFlags dump;                  // --format, --table, --member, --encoding, as for add
  int rows = 500;                  // rows sampled per member
  bool json = false;
};
Status RunInspect(const InspectCommand& cmd);

}  // namespace vigie::cli
