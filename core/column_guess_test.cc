#include "core/column_guess.h"

#include <doctest/doctest.h>

#include <string>

#include "core/nir.h"

namespace vigie {
namespace {

std::string ValidNir(int i) {
  std::string first13 = "18505780060" + std::to_string(10 + i % 90);
  const int key = ComputeNirKey(first13);
  return first13 + (key < 10 ? "0" : "") + std::to_string(key);
}

TEST_CASE("ProfileColumns counts valid identifiers per column; GuessColumnByContent needs half the rows") {
  std::string lines = "a;b;c\n";
  for (int i = 0; i < 10; ++i) {
    lines += "x" + std::to_string(i) + ";" + (i < 6 ? ValidNir(i) : std::string("12")) + ";p" + std::to_string(i) +
             "@example.org\n";
  }
  const Dialect dialect{Format::kCsv, ';', true};
  const SampleProfile profile = ProfileColumns(lines, dialect);
  CHECK(profile.rows == 10);
  REQUIRE(profile.columns.size() == 3);
  CHECK(profile.columns[1].name == "b");
  CHECK(profile.columns[1].valid[static_cast<size_t>(Kind::kNir)] == 6);
  CHECK(profile.columns[2].valid[static_cast<size_t>(Kind::kEmail)] == 10);
  CHECK(GuessColumnByContent(Kind::kNir, profile) == 1);
  CHECK(GuessColumnByContent(Kind::kEmail, profile) == 2);
  CHECK_FALSE(GuessColumnByContent(Kind::kPhone, profile).has_value());
  // Under half of the sampled rows: no guess (1 valid NIR out of 3 rows).
  const SampleProfile few = ProfileColumns("b\n" + ValidNir(1) + "\n12\n13\n", Dialect{Format::kCsv, ';', true});
  CHECK_FALSE(GuessColumnByContent(Kind::kNir, few).has_value());
}

TEST_CASE("MaskValue never shows more than two characters") {
  CHECK(MaskValue("185057800604822") == "18… (15 bytes)");
  CHECK(MaskValue("Zoé") == "Zo… (4 bytes)");
  CHECK(MaskValue("éa@x") == "éa… (5 bytes)");
  CHECK(MaskValue("") == "… (0 bytes)");
  const SampleProfile profile = ProfileColumns("n\n" + ValidNir(3) + "\n", Dialect{Format::kCsv, ';', true});
  REQUIRE(profile.columns.size() == 1);
  REQUIRE(profile.columns[0].samples.size() == 1);
  CHECK(profile.columns[0].samples[0].find(ValidNir(3).substr(2)) == std::string::npos);
}

}  // namespace
}  // namespace vigie
