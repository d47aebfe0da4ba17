#include "core/dump_generator.h"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/dump_tables.h"
#include "core/nir.h"

namespace vigie {
namespace {

std::string Generate(const GeneratorOptions& options, int rows, ErrorCounts* counts = nullptr) {
  DumpGenerator gen(options);
  REQUIRE(gen.Init().ok());
  std::string out = gen.Header();
  for (int i = 0; i < rows; ++i) gen.NextRow(&out);
  if (counts) *counts = gen.counts();
  return out;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> SplitFields(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == ';') {
      fields.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  return fields;
}

std::set<std::string> TableLines(std::string_view name) {
  std::set<std::string> out;
  std::istringstream in(*EmbeddedDumpTable(name));
  for (std::string line; std::getline(in, line);) out.insert(line);
  return out;
}

// Independent of core/nir.cc on purpose: 97 - (N mod 97), 2A -> 19, 2B -> 18.
int ReferenceKey(std::string nir13) {
  if (nir13.substr(5, 2) == "2A") nir13.replace(5, 2, "19");
  if (nir13.substr(5, 2) == "2B") nir13.replace(5, 2, "18");
  return static_cast<int>(97 - std::stoull(nir13) % 97);
}

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

TEST_CASE("DumpGenerator: same options give the same bytes, another seed other bytes") {
  GeneratorOptions options;
  options.email = options.phone = true;
  options.error_rate = 0.1;
  const std::string a = Generate(options, 5000);
  CHECK(a == Generate(options, 5000));
  options.seed = 2;
  const std::string b = Generate(options, 5000);
  CHECK(a != b);
  const size_t header = a.find('\n') + 1;
  CHECK(a.substr(0, header) == b.substr(0, header));
  CHECK(a.substr(header, 100) != b.substr(header, 100));
}

TEST_CASE("DumpGenerator: header") {
  struct Case {
    bool email, phone, bom;
    double errors;
    DumpKind kind;
    std::string header;
  };
  const Case cases[] = {
      {false, false, false, 0, DumpKind::kCsv, "nom;prenom;date_naissance;nir;organisme\n"},
      {true, false, false, 0, DumpKind::kCsv, "nom;prenom;date_naissance;nir;organisme;email\n"},
      {true, true, false, 0, DumpKind::kCsv, "nom;prenom;date_naissance;nir;organisme;email;telephone\n"},
      {false, true, true, 0, DumpKind::kCsv, "\xEF\xBB\xBFnom;prenom;date_naissance;nir;organisme;telephone\n"},
      {false, false, false, 0.01, DumpKind::kCsv, "\xEF\xBB\xBFnom;prenom;date_naissance;nir;organisme\n"},
      {false, false, false, 0, DumpKind::kPasswordSha1, ""},
  };
  for (const Case& c : cases) {
    GeneratorOptions options;
    options.email = c.email;
    options.phone = c.phone;
    options.bom = c.bom;
    options.error_rate = c.errors;
    options.kind = c.kind;
    DumpGenerator gen(options);
    REQUIRE(gen.Init().ok());
    CHECK(gen.Header() == c.header);
  }
}

TEST_CASE("DumpGenerator: rejects rates outside [0, 1]") {
  for (double bad : {-0.1, 1.5}) {
    GeneratorOptions options;
    options.error_rate = bad;
    CHECK(DumpGenerator(options).Init().code() == Code::kInvalidArgument);
  }
}

TEST_CASE("DumpGenerator: valid rows are consistent and cover Corsica, overseas and abroad") {
  GeneratorOptions options;
  options.duplicate_rate = 0.02;
  options.email = options.phone = true;
  ErrorCounts counts;
  const int kRows = 20000;
  const std::vector<std::string> lines = SplitLines(Generate(options, kRows, &counts));
  REQUIRE(lines.size() == kRows + 1);
  CHECK(counts.rows == kRows);
  CHECK(counts.total_errors() == 0);

  const std::set<std::string> male = TableLines("prenoms_masculins.txt");
  const std::set<std::string> female = TableLines("prenoms_feminins.txt");
  const std::set<std::string> noms = TableLines("noms.txt");
  std::map<std::string, int> nir_seen;
  int corsica = 0, overseas = 0, abroad = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> f = SplitFields(lines[i]);
    REQUIRE(f.size() == 7);
    const std::string& nir = f[3];
    INFO("row: " << lines[i]);
    REQUIRE(nir.size() == 15);
    CHECK(noms.count(f[0]) == 1);
    CHECK((nir[0] == '1' ? male : female).count(f[1]) == 1);
    CHECK((nir[0] == '1' || nir[0] == '2'));
    // date_naissance DD/MM/YYYY agrees with the NIR's year and month.
    REQUIRE(f[2].size() == 10);
    CHECK(f[2].substr(8, 2) == nir.substr(1, 2));
    CHECK(f[2].substr(3, 2) == nir.substr(3, 2));
    const int day = std::stoi(f[2].substr(0, 2)), month = std::stoi(f[2].substr(3, 2));
    CHECK((day >= 1 && day <= 31 && month >= 1 && month <= 12));
    CHECK(std::stoi(nir.substr(13, 2)) == ReferenceKey(nir.substr(0, 13)));
    std::string canonical;
    CHECK(NormalizeNir(nir, &canonical).ok());
    CHECK(CheckNirPlausibility(nir).plausible);
    CHECK(nir.substr(10, 3) != "000");
    corsica += nir.substr(5, 2) == "2A" || nir.substr(5, 2) == "2B";
    overseas += nir.substr(5, 2) == "97";
    abroad += nir.substr(5, 2) == "99";
    ++nir_seen[nir];
    // e-mail: prenom.nom+N@ a reserved domain; phone: a French mobile however it is written.
    const std::string& email = f[5];
    const std::string domain = email.substr(email.find('@') + 1);
    CHECK(email.find('.') < email.find('+'));
    CHECK(std::set<std::string>{"example.org", "example.net", "example.com", "mail.example", "fai.test"}.count(
              domain) == 1);
    std::string digits;
    for (char c : f[6]) {
      if (c >= '0' && c <= '9') digits.push_back(c);
    }
    if (digits.starts_with("0033")) digits = "0" + digits.substr(4);
    if (digits.starts_with("33")) digits = "0" + digits.substr(2);
    CHECK(digits.size() == 10);
    CHECK((digits.starts_with("06") || digits.starts_with("07")));
  }
  CHECK(corsica > 0);
  CHECK(overseas > 0);
  CHECK(abroad > kRows * 0.035);
  CHECK(abroad < kRows * 0.065);
  // Each duplicate repeats an earlier NIR; fresh people almost never collide.
  int repeats = 0;
  for (const auto& [nir, n] : nir_seen) repeats += n - 1;
  CHECK(counts.duplicates > kRows * 0.015);
  CHECK(counts.duplicates < kRows * 0.025);
  CHECK(repeats >= static_cast<int>(counts.duplicates));
  CHECK(repeats <= static_cast<int>(counts.duplicates) + 2);
}

TEST_CASE("DumpGenerator: injected errors match their counts exactly") {
  GeneratorOptions options;
  options.error_rate = 0.2;
  options.duplicate_rate = 0;
  ErrorCounts counts;
  const int kRows = 40000;
  const std::string text = Generate(options, kRows, &counts);
  REQUIRE(text.starts_with("\xEF\xBB\xBF"));

  // The expected share of each class is 0.2 / 8 = 2.5 % (1000 rows, sd ~31).
  for (size_t i = 0; i < kErrorClassCount; ++i) {
    INFO(ErrorClassName(static_cast<ErrorClass>(i)));
    CHECK(counts.errors[i] > 800);
    CHECK(counts.errors[i] < 1200);
  }
  std::map<ErrorClass, uint64_t> seen;
  const std::vector<std::string> lines = SplitLines(text);
  REQUIRE(lines.size() == 1 + kRows + counts.of(ErrorClass::kBlankLine));
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string line = lines[i];
    if (line.empty()) {
      ++seen[ErrorClass::kBlankLine];
      continue;
    }
    if (line.back() == '\r') {
      ++seen[ErrorClass::kCrlf];
      line.pop_back();
    }
    if (!ValidUtf8(line)) ++seen[ErrorClass::kLatin1];
    if (line.find('"') != std::string::npos) ++seen[ErrorClass::kStrayQuote];
    const std::vector<std::string> f = SplitFields(line);
    if (f.size() < 5) {
      ++seen[ErrorClass::kTruncated];
      CHECK(f.size() == 4);
      CHECK(f[3].size() >= 1);
      CHECK(f[3].size() <= 12);
      continue;
    }
    REQUIRE(f.size() == 5);
    const std::string& nir = f[3];
    std::string canonical;
    Status s = NormalizeNir(nir, &canonical);
    if (nir.find_first_of(" .") != std::string::npos) {
      ++seen[ErrorClass::kSeparators];
      CHECK(s.ok());
    } else if (nir.size() == 13) {
      ++seen[ErrorClass::kMissingKey];
      CHECK(s.ok());
    } else if (!s.ok()) {
      ++seen[ErrorClass::kWrongKey];
      CHECK(s.reason() == "nir.key");
    }
  }
  for (size_t i = 0; i < kErrorClassCount; ++i) {
    const ErrorClass e = static_cast<ErrorClass>(i);
    INFO(ErrorClassName(e));
    CHECK(seen[e] == counts.of(e));
  }
  const std::string report = counts.ToString();
  CHECK(report.starts_with("rows=40000\nduplicates=0\nwrong-key="));
}

TEST_CASE("DumpGenerator: password mode writes HIBP lines of predictable plaintexts") {
  struct Case {
    DumpKind kind;
    size_t hex;
    std::string first_hash;  // of "vigie-synthetic-1-0", computed with openssl dgst
  };
  const Case cases[] = {{DumpKind::kPasswordSha1, 40, "EA7E790E6097CFB4FCB7DDACB2C8790F0E851610"},
                        {DumpKind::kPasswordNtlm, 32, "DFDCF81F1D095B5539BB9AFFC5E5845D"}};
  for (const Case& c : cases) {
    GeneratorOptions options;
    options.kind = c.kind;
    const std::vector<std::string> lines = SplitLines(Generate(options, 2000));
    REQUIRE(lines.size() == 2000);
    CHECK(lines[0].substr(0, c.hex) == c.first_hash);
    std::set<std::string> hashes;
    uint64_t max_count = 0;
    for (const std::string& line : lines) {
      REQUIRE(line.size() > c.hex + 1);
      CHECK(line[c.hex] == ':');
      CHECK(line.find_first_not_of("0123456789ABCDEF") == c.hex);
      const uint64_t count = std::stoull(line.substr(c.hex + 1));
      CHECK(count >= 1);
      max_count = std::max(max_count, count);
      hashes.insert(line.substr(0, c.hex));
    }
    CHECK(hashes.size() == lines.size());
    CHECK(max_count > 1000);  // heavy tail
  }
}

#ifdef VIGIE_SOURCE_DIR
TEST_CASE("DumpGenerator: the embedded tables are those in data/") {
  for (const char* name :
       {"communes.tsv", "pays.tsv", "prenoms_masculins.txt", "prenoms_feminins.txt", "noms.txt", "organismes.txt"}) {
    INFO(name << ": rerun scripts/derive-communes.mjs --embed-only");
    std::ifstream in(std::string(VIGIE_SOURCE_DIR) + "/data/" + name, std::ios::binary);
    REQUIRE(in.good());
    std::stringstream file;
    file << in.rdbuf();
    CHECK(EmbeddedDumpTable(name) == file.str());
  }
}
#endif

}  // namespace
}  // namespace vigie
