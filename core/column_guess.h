// Columns judged by their content: for each field of a sample of rows, how many values normalise as each
// kind of identifier (core/normalize.h). `vigie-index add` uses it when --column is not given and no header
// name says which column holds the kind (GuessColumnByContent); `vigie-index inspect` shows the counts.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"
#include "core/kind.h"

namespace vigie {

struct ColumnProfile {
  std::string name;                  // the header's name for it ("" without a header)
  std::array<uint64_t, 5> valid{};   // by kind byte: sampled values that normalise as that kind
  std::vector<std::string> samples;  // a few values, masked (MaskValue)
};

struct SampleProfile {
  uint64_t rows = 0;  // rows sampled (the header excluded)
  std::vector<ColumnProfile> columns;
};

// Profiles up to `max_rows` lines of `lines` (whole lines, '\n'-separated, the header line first when
// dialect.header). Password hashes are not profiled (a plain list of HASH:COUNT lines has one column).
SampleProfile ProfileColumns(std::string_view lines, const Dialect& dialect, size_t max_rows = 500);

// The 0-based column most of whose sampled values are valid identifiers of `kind` (at least half of the
// sampled rows); nullopt when none is.
std::optional<int> GuessColumnByContent(Kind kind, const SampleProfile& profile);

// A value shown without giving it away: its first two characters, then its length ("18… (15 chars)").
std::string MaskValue(std::string_view value);

}  // namespace vigie
