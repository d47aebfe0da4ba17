// vigie-check --server: look-ups against a remote vigie-serve, for a few values or for a whole file.
// Separated from main() like check_command.h; each returns the process exit code (grep's convention: 0 when
// something was found, 1 when nothing was, 2 on an error — for bulk runs, invalid rows are reported in the
// output file and do not make the run fail).
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace vigie::cli {

struct RemoteCommand {
  std::string server;
  std::string kind;
  std::string api_key;     // empty: $VIGIE_API_KEY when set
  std::string verify_key;  // oprf-p256: the key fingerprint the server must have (and prove, per batch)
  bool json = false;
  // The private path (PRODUCT.md §3b): match against the kind's set instead of range requests — single
  // look-ups fetch the shards their tags fall in, bulk runs the whole set once.
  bool private_path = false;
  std::string cache_dir;  // where fetched sets are kept between runs (empty: $XDG_CACHE_HOME or ~/.cache/vigie)
  std::vector<std::string> values;  // single mode; empty: read lines from `in`
  // Bulk mode (input set):
  std::string input, output, column, checkpoint;
  int header = -1;  // -1: detected (CSV: yes, plain list: no); 0/1 forced
  int connections = 8;
  size_t block_rows = 1'000'000;
  bool progress = true;  // a progress line on stderr
};

int RunRemoteLookup(const RemoteCommand& cmd, std::istream& in, std::ostream& out, std::ostream& err);
int RunBulkCheck(const RemoteCommand& cmd, std::ostream& err);

}  // namespace vigie::cli
