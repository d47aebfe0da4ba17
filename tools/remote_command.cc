#include "tools/remote_command.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>

#include "core/bulk_check.h"
#include "tools/check_command.h"
#include "tools/http_bucket_source.h"
#include "tools/private_set_source.h"

namespace vigie::cli {

namespace {

HttpSourceOptions SourceOptions(const RemoteCommand& cmd, std::ostream& err) {
  HttpSourceOptions o;
  o.server = cmd.server;
  while (!o.server.empty() && o.server.back() == '/') o.server.pop_back();
  o.api_key = cmd.api_key;
  if (o.api_key.empty()) {
    if (const char* env = std::getenv("VIGIE_API_KEY")) o.api_key = env;
  }
  o.connections = cmd.connections;
  o.verify_fingerprint = cmd.verify_key;
  // Called from several connections at once: one whole line per warning, never interleaved.
  o.warn = [&err](const std::string& message) {
    static std::mutex mu;
    std::lock_guard lock(mu);
    err << ("vigie-check: " + message + '\n') << std::flush;
  };
  return o;
}

std::string CacheDir(const RemoteCommand& cmd) {
  if (!cmd.cache_dir.empty()) return cmd.cache_dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/vigie";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/vigie";
  return std::string();
}

// The private path's source, over the same HTTP client (null: the range API).
std::unique_ptr<BucketSource> MakeSource(const RemoteCommand& cmd, HttpBucketSource* http, bool bulk) {
  if (!cmd.private_path) return nullptr;
  PrivateSetOptions o;
  o.whole_set = bulk;
  o.cache_dir = CacheDir(cmd);
  return std::make_unique<PrivateSetSource>(http, o);
}

}  // namespace

int RunRemoteLookup(const RemoteCommand& cmd, std::istream& in, std::ostream& out, std::ostream& err) {
  auto kind = ParseKind(cmd.kind);
  if (!kind) {
    err << "vigie-check: unknown kind '" << cmd.kind << "' (nir, email, phone, password)\n";
    return 2;
  }
  std::vector<std::string> values = cmd.values;
  if (values.empty()) {
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      values.push_back(line);
    }
  }
  HttpBucketSource http(SourceOptions(cmd, err));
  std::unique_ptr<BucketSource> private_source = MakeSource(cmd, &http, false);
  auto results = CheckValues(private_source ? private_source.get() : &http, *kind, values);
  if (!results.ok()) {
    err << "vigie-check: " << results.status().message() << '\n';
    return 2;
  }
  bool any_found = false, any_error = false;
  uint64_t n = 0;
  for (const LookupResult& r : *results) {
    any_found |= r.found;
    any_error |= !r.error.ok();
    PrintLookupResult(r, *kind, cmd.json, ++n, out);
  }
  if (any_found) return 0;
  return any_error ? 2 : 1;
}

int RunBulkCheck(const RemoteCommand& cmd, std::ostream& err) {
  auto kind = ParseKind(cmd.kind);
  if (!kind) {
    err << "vigie-check: unknown kind '" << cmd.kind << "' (nir, email, phone, password)\n";
    return 2;
  }
  if (cmd.output.empty()) {
    err << "vigie-check: give --output FILE (or - for standard output) with --input\n";
    return 2;
  }
  HttpBucketSource source(SourceOptions(cmd, err));
  std::unique_ptr<BucketSource> private_source = MakeSource(cmd, &source, true);
  std::optional<Progress> progress;  // only with --progress: it prints, heartbeat included, while it lives
  if (cmd.progress) progress.emplace(stderr, IsTerminal(stderr));
  BulkOptions o;
  o.kind = *kind;
  o.input_path = cmd.input;
  o.output_path = cmd.output;
  o.column = cmd.column;
  o.header = cmd.header;
  o.checkpoint_path = cmd.checkpoint;
  o.block_rows = cmd.block_rows;
  if (progress) o.progress = &*progress;
  auto report = vigie::RunBulkCheck(o, private_source ? private_source.get() : &source);
  if (progress) progress->Finish();
  if (!report.ok()) {
    err << "vigie-check: " << report.status().message() << '\n';
    // A checkpoint that belongs to another run is the error itself: resuming is not the remedy.
    if (!cmd.checkpoint.empty() && std::filesystem::exists(cmd.checkpoint) &&
        !report.status().reason().starts_with("checkpoint.")) {
      err << "vigie-check: the checkpoint keeps what was done: run the same command again to resume\n";
    }
    return 2;
  }
  const BulkReport& r = *report;
  char line[400];
  if (r.already_complete) {
    std::snprintf(line, sizeof line,
                  "already complete (checkpoint %s): %llu rows, %llu found, %llu not found, "
                  "%llu invalid\n",
                  cmd.checkpoint.c_str(), static_cast<unsigned long long>(r.rows),
                  static_cast<unsigned long long>(r.found), static_cast<unsigned long long>(r.not_found),
                  static_cast<unsigned long long>(r.invalid));
  } else {
    std::snprintf(
        line, sizeof line,
        "%llu rows: %llu found, %llu not found, %llu invalid; %llu %s fetched (%llu retries, %llu "
        "rate-limited)%s; %.2f s\n",
        static_cast<unsigned long long>(r.rows), static_cast<unsigned long long>(r.found),
        static_cast<unsigned long long>(r.not_found), static_cast<unsigned long long>(r.invalid),
        static_cast<unsigned long long>(r.buckets), cmd.private_path ? "set bodies" : "buckets",
        static_cast<unsigned long long>(source.retries()), static_cast<unsigned long long>(source.rate_limited()),
        r.resumed_at_line ? (", resumed at line " + std::to_string(r.resumed_at_line)).c_str() : "", r.seconds);
  }
  err << "vigie-check: " << line;
  if (source.evaluations() > 0) {
    err << "vigie-check: " << source.evaluations() << " blinded OPRF evaluations\n";
  }
  return r.found ? 0 : 1;
}

}  // namespace vigie::cli
