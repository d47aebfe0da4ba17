// vigie-check: normalise identifiers, or look them up in a local index the way a remote client would.
//
//   vigie-check normalize --kind nir|email|phone [VALUE ...]
//   vigie-check --index DIR [--key FILE] --kind nir [--json] [VALUE ...]
//   vigie-check --server URL --kind nir [--private] [--json] [--api-key K] [--verify-key FINGERPRINT] [VALUE ...]
//   vigie-check --server URL --kind nir --input FILE [--column C] --output FILE [--checkpoint FILE]
//               [--connections N] [--api-key K]
//
// Values come from the arguments, else one per line on standard input. Exit codes follow grep: 0 when any
// input was found (normalize: all valid), 1 when none was (normalize: some invalid), 2 on an error.
#include <CLI/CLI.hpp>
#include <iostream>

#include "tools/check_command.h"
#include "tools/remote_command.h"

namespace {

// --server and the bulk options (tools/remote_command.h).
void AddRemoteOptions(CLI::App& app, vigie::cli::RemoteCommand& remote) {
  app.add_option("--server", remote.server, "vigie-serve URL (http://host:port); only prefixes go out");
  app.add_option("--api-key", remote.api_key, "API key for --server (default: $VIGIE_API_KEY)");
  app.add_option("--verify-key", remote.verify_key,
                 "oprf-p256 server: the key fingerprint it must have (checked before anything is sent; every "
                 "evaluation then carries a proof that is verified)");
  app.add_flag("--private", remote.private_path,
               "private path: match against the index's set, sending at most shard_bits bits of each tag (single "
               "look-ups fetch one shard each; --input fetches the whole set once and sends no tag bits at all)");
  app.add_option("--cache-dir", remote.cache_dir,
                 "--private: keep fetched sets here between runs (default $XDG_CACHE_HOME/vigie or ~/.cache/vigie)");
  app.add_option("--input", remote.input, "bulk: CSV/TSV or plain list, plain, gzip or zstd (with --server)");
  app.add_option("--column", remote.column, "bulk: column name or 1-based number (default: guessed)");
  app.add_option("--output", remote.output, "bulk: result file (.gz/.zst compressed; - for stdout)");
  app.add_option("--checkpoint", remote.checkpoint, "bulk: checkpoint file (run again to resume)");
  app.add_option("--connections", remote.connections, "bulk: concurrent keep-alive connections")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--block-rows", remote.block_rows, "bulk: rows per block (memory bound, checkpoint unit)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{100'000'000}));
  app.add_flag("!--no-progress", remote.progress, "bulk: no progress line");
  app.add_flag_callback(
      "--no-header", [&] { remote.header = 0; }, "bulk: the first line is data");
  app.add_flag_callback(
      "--header", [&] { remote.header = 1; }, "bulk: the first line is a header");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vigie::cli;
  // Named rather than argv[0], so usage lines read the same wherever the binary lies; --version prints
  // VIGIE_VERSION (CMake's project version). help2man makes the man page from both (packaging/).
  CLI::App app{"vigie-check: normalise identifiers or look them up in a Vigie index", "vigie-check"};
  app.set_version_flag("--version", "vigie-check " VIGIE_VERSION);

  NormalizeCommand normalize;
  auto* n = app.add_subcommand("normalize", "print the canonical form of each value, or why it is invalid");
  n->add_option("--kind", normalize.kind, "nir, email, phone or password")->required();
  n->add_option("values", normalize.values, "values (default: one per line on stdin)");

  LookupCommand lookup;
  app.add_option("--index", lookup.index_dir, "local index directory");
  app.add_option("--key", lookup.key_path,
                 "local oprf-p256 index: the server key file (default: the path the index recorded)");
  app.add_option("--kind", lookup.kind, "nir, email, phone or password");
  app.add_flag("--json", lookup.json, "one JSON object per input line");
  app.add_option("values", lookup.values, "values (default: one per line on stdin)");

  RemoteCommand remote;
  AddRemoteOptions(app, remote);
  app.require_subcommand(0, 1);

  CLI11_PARSE(app, argc, argv);
  if (n->parsed()) return RunNormalize(normalize, std::cin, std::cout, std::cerr);
  if (!remote.server.empty()) {
    if (!lookup.index_dir.empty() || !lookup.key_path.empty()) {
      std::cerr << "vigie-check: give --index (and --key) or --server, not both\n";
      return 2;
    }
    remote.kind = lookup.kind;
    remote.json = lookup.json;
    remote.values = lookup.values;
    if (remote.kind.empty()) {
      std::cerr << "vigie-check: give --kind KIND\n";
      return 2;
    }
    if (!remote.input.empty()) {
      if (!remote.values.empty()) {
        std::cerr << "vigie-check: give values or --input, not both\n";
        return 2;
      }
      return RunBulkCheck(remote, std::cerr);
    }
    return RunRemoteLookup(remote, std::cin, std::cout, std::cerr);
  }
  if (!remote.input.empty()) {
    std::cerr << "vigie-check: --input needs --server URL\n";
    return 2;
  }
  if (remote.private_path) {
    std::cerr << "vigie-check: --private needs --server URL (a local --index is read on this machine anyway)\n";
    return 2;
  }
  if (!remote.verify_key.empty()) {
    std::cerr << "vigie-check: --verify-key needs --server URL\n";
    return 2;
  }
  if (lookup.index_dir.empty() || lookup.kind.empty()) {
    std::cerr << "vigie-check: give --index DIR or --server URL, and --kind KIND (or the normalize "
                 "subcommand); see --help\n";
    return 2;
  }
  return RunLookup(lookup, std::cin, std::cout, std::cerr);
}
