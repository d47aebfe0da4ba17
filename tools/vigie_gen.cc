// vigie-gen: writes a synthetic leak dump (see core/dump_generator.h for what the rows look like and which
// errors can be injected). The counts of duplicates and injected errors go to stderr, one `name=value` per
// line, so that tests can check an indexer against them.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <string>

#include "core/dump_generator.h"
#include "core/output_file.h"
#include "tools/cli_checks.h"

namespace {

vigie::Status Run(const vigie::GeneratorOptions& options, uint64_t rows, const std::string& output) {
  vigie::DumpGenerator generator(options);
  VIGIE_RETURN_IF_ERROR(generator.Init());
  auto file = vigie::OutputFile::Open(output);
  if (!file.ok()) return file.status();
  constexpr size_t kFlushAt = 1 << 20;
  std::string buffer = generator.Header();
  buffer.reserve(kFlushAt + 4096);
  for (uint64_t i = 0; i < rows; ++i) {
    generator.NextRow(&buffer);
    if (buffer.size() >= kFlushAt) {
      VIGIE_RETURN_IF_ERROR((*file)->Write(buffer));
      buffer.clear();
    }
  }
  VIGIE_RETURN_IF_ERROR((*file)->Write(buffer));
  VIGIE_RETURN_IF_ERROR((*file)->Close());
  std::fputs(generator.counts().ToString().c_str(), stderr);
  return vigie::Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  // Named rather than argv[0], so usage lines read the same wherever the binary lies; --version prints
  // VIGIE_VERSION (CMake's project version). help2man makes the man page from both (packaging/).
  CLI::App app{"Writes a synthetic leak dump (French health-insurance shape, or HIBP password lines).", "vigie-gen"};
  app.set_version_flag("--version", "vigie-gen " VIGIE_VERSION);
  vigie::GeneratorOptions options;
  uint64_t rows = 1000;
  std::string output = "-";
  // Bounded: a negative count once wrapped to 2^64 rows and filled a disk. 10^10 rows is ~700 GB of CSV.
  app.add_option("--rows", rows, "Number of rows (data lines, header excluded)")
      ->check(vigie::cli::WholeNumber(0, 10'000'000'000))
      ->capture_default_str();
  app.add_option("--seed", options.seed, "PRNG seed: same arguments, same bytes")
      ->check(vigie::cli::WholeNumber())
      ->capture_default_str();
  app.add_option("-o,--output", output, "Output file; .gz or .zst compresses; - is stdout")->capture_default_str();
  app.add_option("--duplicates", options.duplicate_rate, "Share of rows repeating a recent person's NIR")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--errors", options.error_rate, "Share of rows carrying one injected error (also adds a UTF-8 BOM)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--abroad", options.abroad_rate, "Share of people born abroad")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_flag("--bom", options.bom, "Start with a UTF-8 BOM even without --errors");
  app.add_flag("--email", options.email, "Add an email column (reserved example domains)");
  app.add_flag("--phone", options.phone, "Add a telephone column (French mobiles, varied writings)");
  const std::map<std::string, vigie::DumpKind> kinds = {{"csv", vigie::DumpKind::kCsv},
                                                        {"password-sha1", vigie::DumpKind::kPasswordSha1},
                                                        {"password-ntlm", vigie::DumpKind::kPasswordNtlm}};
  std::string kind = "csv";
  app.add_option("--kind", kind, "csv, or HIBP HASH:COUNT lines: password-sha1, password-ntlm")
      ->check(CLI::IsMember({"csv", "password-sha1", "password-ntlm"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  options.kind = kinds.at(kind);

  vigie::Status status = Run(options, rows, output);
  if (!status.ok()) {
    std::fprintf(stderr, "vigie-gen: %s\n", status.ToString().c_str());
    return vigie::ExitCodeFor(status);
  }
  return 0;
}
