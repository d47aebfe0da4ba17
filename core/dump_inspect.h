// What `vigie-index inspect` reports on a dump before anyone loads it: the container, and for each member
// its format, encoding, delimiter, header, and each column's profile over a sample of rows (how many values
// normalise as a NIR, an e-mail, a phone; a few masked values — never a whole identifier).
//
// It reads through the same DumpInput stages as `add` (core/dump_input.h), so what it says is what `add`
// will see. Thread-safety: pure function over its arguments.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/column_guess.h"
#include "core/dump_input.h"
#include "core/status.h"

namespace vigie {

struct MemberInspection {
  std::string name;
  InputFormat format = InputFormat::kCsv;
  std::string encoding;
  Dialect dialect;
  SampleProfile profile;
  // A SQL dump (a plain file): every table that has rows, with its row count, from a survey of the whole
  // dump; the profile is left empty when several tables have rows and no --table chose one.
  std::vector<std::pair<std::string, uint64_t>> sql_tables;
};

struct DumpInspection {
  std::string container;
  std::vector<MemberInspection> members;
};

Result<DumpInspection> InspectDump(const std::string& path, const DumpInputOptions& options, size_t sample_rows = 500);

}  // namespace vigie
