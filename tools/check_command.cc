#include "tools/check_command.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "core/index.h"
#include "core/index_scheme.h"
#include "core/lookup.h"
#include "core/normalize.h"
#include "core/password_hash.h"

namespace vigie::cli {

namespace {

// Calls `fn(value)` for each argument, or else each line of `in` (a trailing '\r' dropped).
template <typename Fn>
void ForEachValue(const std::vector<std::string>& values, std::istream& in, Fn fn) {
  if (!values.empty()) {
    for (const std::string& v : values) fn(v);
    return;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    fn(line);
  }
}

}  // namespace

int RunNormalize(const NormalizeCommand& cmd, std::istream& in, std::ostream& out, std::ostream& err) {
  auto kind = ParseKind(cmd.kind);
  if (!kind) {
    err << "vigie-check: unknown kind '" << cmd.kind << "' (nir, email, phone, password)\n";
    return 2;
  }
  bool all_valid = true;
  std::string canonical;
  ForEachValue(cmd.values, in, [&](const std::string& value) {
    Status s = Normalize(*kind, value, &canonical);
    if (s.ok()) {
      out << canonical << '\n';
    } else {
      all_valid = false;
      out << "invalid: " << s.message() << " [" << s.reason() << "]\n";
    }
  });
  return all_valid ? 0 : 1;
}

void PrintLookupResult(const LookupResult& r, Kind kind, bool json, uint64_t n, std::ostream& out) {
  if (json) {
    nlohmann::json j = {{"valid", r.valid}, {"found", r.found}, {"breaches", r.breaches}};
    j["error"] = r.error.ok() ? nlohmann::json(nullptr) : nlohmann::json(r.error.message());
    if (!r.error.ok()) j["reason"] = std::string(r.error.reason());
    if (kind == Kind::kPassword && r.found) j["count"] = r.count;
    out << j.dump() << '\n';
    return;
  }
  // The identifier itself is not echoed: the output may end up in tickets and logs.
  out << "#" << n << ": ";
  if (!r.error.ok()) {
    out << (r.valid ? "error: " : "invalid: ") << r.error.message() << '\n';
  } else if (r.found) {
    out << "FOUND in ";
    for (size_t i = 0; i < r.breaches.size(); ++i) out << (i ? ", " : "") << r.breaches[i];
    if (kind == Kind::kPassword) out << " (seen " << r.count << " times)";
    out << '\n';
  } else {
    out << "not found\n";
  }
}

int RunLookup(const LookupCommand& cmd, std::istream& in, std::ostream& out, std::ostream& err) {
  auto kind = ParseKind(cmd.kind);
  if (!kind) {
    err << "vigie-check: unknown kind '" << cmd.kind << "' (nir, email, phone, password)\n";
    return 2;
  }
  auto index = Index::Open(cmd.index_dir, Index::Mode::kReadOnly);
  if (!index.ok()) {
    err << "vigie-check: " << index.status().message() << '\n';
    return 2;
  }
  // oprf-p256: tags need the server key, checked against the one the index recorded.
  auto scheme = OpenIndexScheme((*index)->meta(), cmd.key_path);
  if (!scheme.ok()) {
    err << "vigie-check: " << scheme.status().message() << '\n';
    return 2;
  }
  Lookup lookup(**index, **scheme);
  bool any_found = false, any_error = false;
  uint64_t n = 0;
  ForEachValue(cmd.values, in, [&](const std::string& value) {
    LookupResult r = lookup.Check(*kind, value);
    any_found |= r.found;
    any_error |= !r.error.ok();
    PrintLookupResult(r, *kind, cmd.json, ++n, out);
  });
  if (any_found) return 0;
  return any_error ? 2 : 1;
}

}  // namespace vigie::cli
