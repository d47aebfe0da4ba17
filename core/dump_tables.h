// The data tables of the synthetic dump generator (communes with populations, country codes, first names,
// surnames, insurers), embedded in the binary so that an installed vigie-gen needs no data directory.
//
// The source of truth is data/ (see data/README.md); core/dump_tables.cc is generated from it by
// scripts/derive-communes.mjs and committed. A unit test checks that the two agree.
// Thread-safety: pure functions over constant data.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigie {

// The full text of data/<file_name> as it was when dump_tables.cc was generated; nullopt for a name that is
// not embedded.
std::optional<std::string> EmbeddedDumpTable(std::string_view file_name);

}  // namespace vigie
