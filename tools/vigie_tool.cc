// vigie-tool: measurements behind docs/THREAT-MODEL.md (core/leakage.h, core/leakage_report.h).
//   vigie-tool leakage [--prefix-hex P] [--first-year Y --last-year Y] [--profiles N] [--seed S] [--json]
//   vigie-tool bruteforce-rate [--seconds S] [--threads N] [--json]
//   vigie-tool set-build --index DIR [--shard-bits S] [--json]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <thread>

#include "core/leakage_report.h"
#include "core/set_report.h"
#include "tools/cli_checks.h"

namespace {

int Fail(const vigie::Status& status) {
  std::fprintf(stderr, "vigie-tool: %s\n", status.ToString().c_str());
  return vigie::ExitCodeFor(status);
}

}  // namespace

int main(int argc, char** argv) {
  // Named rather than argv[0], so usage lines read the same wherever the binary lies; --version prints
  // VIGIE_VERSION (CMake's project version). help2man makes the man page from both (packaging/).
  CLI::App app{"Privacy measurements: what a tag prefix reveals, what a brute force costs.", "vigie-tool"};
  app.set_version_flag("--version", "vigie-tool " VIGIE_VERSION);
  app.require_subcommand(1);

  vigie::leakage::LeakageOptions leak;
  int prefix_hex = 0;
  bool leak_json = false;
  CLI::App* leakage =
      app.add_subcommand("leakage", "Plausible NIR space, NIRs per prefix, what a prefix reveals about a known person");
  leakage->add_option("--prefix-hex", prefix_hex, "Only this prefix length (4 to 6); default all three")
      ->check(CLI::Range(4, 6));
  leakage->add_option("--first-year", leak.assumptions.first_year, "First birth year counted")
      ->check(CLI::Range(1850, 2100))
      ->capture_default_str();
  leakage->add_option("--last-year", leak.assumptions.last_year, "Last birth year counted")
      ->check(CLI::Range(1850, 2100))
      ->capture_default_str();
  leakage->add_option("--profiles", leak.profiles, "Known-person profiles sampled (999 sha256 tags each)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100000000}))
      ->capture_default_str();
  leakage->add_option("--seed", leak.seed, "Sampling seed")->check(vigie::cli::WholeNumber())->capture_default_str();
  leakage->add_flag("--json", leak_json, "JSON instead of text");

  vigie::leakage::BruteForceOptions brute;
  brute.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool brute_json = false;
  CLI::App* bruteforce = app.add_subcommand(
      "bruteforce-rate", "Measured tags/s (sha256, oprf-p256 with the key) and the time to enumerate the space");
  bruteforce->add_option("--seconds", brute.seconds, "Seconds per measurement (six measurements)")
      ->check(CLI::Range(0.01, 3600.0))
      ->capture_default_str();
  bruteforce->add_option("--threads", brute.threads, "Threads of the multi-threaded measurements")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  bruteforce->add_flag("--json", brute_json, "JSON instead of text");

  std::string set_index;
  int set_shard_bits = -1;
  bool set_json = false;
  CLI::App* set_build = app.add_subcommand(
      "set-build", "Build the private path's sets of an index (as vigie-serve does) and print time and size");
  set_build->add_option("--index", set_index, "index directory")->required();
  set_build->add_option("--shard-bits", set_shard_bits, "shard bits (default: the index's)")->check(CLI::Range(0, 12));
  set_build->add_flag("--json", set_json, "JSON instead of text");

  CLI11_PARSE(app, argc, argv);

  if (set_build->parsed()) {
    auto figures = vigie::MeasureSets(set_index, set_shard_bits);
    if (!figures.ok()) return Fail(figures.status());
    std::fputs((set_json ? vigie::SetFiguresJson(*figures) : vigie::SetFiguresText(*figures)).c_str(), stdout);
    return 0;
  }

  if (leakage->parsed()) {
    if (prefix_hex != 0) leak.prefix_hex = {prefix_hex};
    vigie::Result<vigie::leakage::LeakageReport> report = vigie::leakage::BuildLeakageReport(leak);
    if (!report.ok()) return Fail(report.status());
    std::fputs((leak_json ? LeakageJson(*report) : LeakageText(*report)).c_str(), stdout);
    return 0;
  }
  vigie::Result<vigie::leakage::BruteForceReport> report = vigie::leakage::BuildBruteForceReport(brute);
  if (!report.ok()) return Fail(report.status());
  std::fputs((brute_json ? BruteForceJson(*report) : BruteForceText(*report)).c_str(), stdout);
  return 0;
}
