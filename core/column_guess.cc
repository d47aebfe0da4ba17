#include "core/column_guess.h"

#include "core/normalize.h"

namespace vigie {

namespace {
constexpr size_t kSamplesPerColumn = 3;
constexpr Kind kProfiledKinds[] = {Kind::kNir, Kind::kEmail, Kind::kPhone};
}  // namespace

std::string MaskValue(std::string_view value) {
  size_t keep = 0;
  for (int chars = 0; keep < value.size() && chars < 2; ++chars) {
    keep++;
    while (keep < value.size() && (static_cast<unsigned char>(value[keep]) & 0xC0) == 0x80) keep++;
  }
  return std::string(value.substr(0, keep)) + "… (" + std::to_string(value.size()) + " bytes)";
}

SampleProfile ProfileColumns(std::string_view lines, const Dialect& dialect, size_t max_rows) {
  SampleProfile profile;
  LineParser parser([&] {
    Dialect d = dialect;
    d.header = false;
    return d;
  }());
  std::vector<std::string_view> fields;
  std::string canonical;
  bool header = dialect.header && dialect.format == Format::kCsv;
  size_t pos = 0;
  while (pos < lines.size() && profile.rows < max_rows) {
    size_t end = lines.find('\n', pos);
    if (end == std::string_view::npos) end = lines.size();
    const std::string_view line = lines.substr(pos, end - pos);
    pos = end + 1;
    if (!parser.ParseLine(line, &fields).ok()) {
      if (!header) profile.rows++;
      header = false;
      continue;
    }
    if (header) {
      for (std::string_view f : fields) profile.columns.push_back(ColumnProfile{std::string(f), {}, {}});
      header = false;
      continue;
    }
    profile.rows++;
    if (profile.columns.size() < fields.size()) profile.columns.resize(fields.size());
    for (size_t c = 0; c < fields.size(); ++c) {
      ColumnProfile& col = profile.columns[c];
      if (col.samples.size() < kSamplesPerColumn && !fields[c].empty()) col.samples.push_back(MaskValue(fields[c]));
      for (Kind kind : kProfiledKinds) {
        if (Normalize(kind, fields[c], &canonical).ok()) col.valid[static_cast<size_t>(kind)]++;
      }
    }
  }
  return profile;
}

std::optional<int> GuessColumnByContent(Kind kind, const SampleProfile& profile) {
  std::optional<int> best;
  uint64_t best_valid = 0;
  for (size_t c = 0; c < profile.columns.size(); ++c) {
    const uint64_t valid = profile.columns[c].valid[static_cast<size_t>(kind)];
    if (valid > best_valid) {
      best_valid = valid;
      best = static_cast<int>(c);
    }
  }
  if (!best || best_valid * 2 < profile.rows || profile.rows == 0) return std::nullopt;
  return best;
}

}  // namespace vigie
