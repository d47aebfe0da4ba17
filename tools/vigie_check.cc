// vigie-check: normalise identifiers, or look them up in a local index the way a remote client would.
//
//   vigie-check normalize --kind nir|email|phone [VALUE ...]
//   vigie-check --index DIR --kind nir [--json] [VALUE ...]
//
// Values come from the arguments, else one per line on standard input. Exit codes follow grep: 0 when any
// input was found (normalize: all valid), 1 when none was (normalize: some invalid), 2 on an error.
#include <CLI/CLI.hpp>
#include <iostream>

#include "tools/check_command.h"

int main(int argc, char** argv) {
  using namespace vigie::cli;
  CLI::App app{"vigie-check: normalise identifiers or look them up in a Vigie index"};

  NormalizeCommand normalize;
  auto* n = app.add_subcommand("normalize", "print the canonical form of each value, or why it is invalid");
  n->add_option("--kind", normalize.kind, "nir, email, phone or password")->required();
  n->add_option("values", normalize.values, "values (default: one per line on stdin)");

  LookupCommand lookup;
  app.add_option("--index", lookup.index_dir, "local index directory");
  app.add_option("--kind", lookup.kind, "nir, email, phone or password");
  app.add_flag("--json", lookup.json, "one JSON object per input line");
  app.add_option("values", lookup.values, "values (default: one per line on stdin)");
  app.require_subcommand(0, 1);

  CLI11_PARSE(app, argc, argv);
  if (n->parsed()) return RunNormalize(normalize, std::cin, std::cout, std::cerr);
  if (lookup.index_dir.empty() || lookup.kind.empty()) {
    std::cerr << "vigie-check: give --index DIR and --kind KIND (or the normalize subcommand); see --help\n";
    return 2;
  }
  return RunLookup(lookup, std::cin, std::cout, std::cerr);
}
