// DumpGenerator: a deterministic stream of synthetic leak-dump rows, shaped like the 2024 French
// health-insurance leak (`nom;prenom;date_naissance;nir;organisme`, semicolon-separated UTF-8), or HIBP-style
// `HASH:COUNT` password lines. It feeds tests and benchmarks of the indexer with realistic data that
// contains no real person.
//
// Contract:
//  - Same options (seed included) => byte-identical output, on any platform: the PRNG is our own
//    (xoshiro256** seeded by splitmix64) and no floating point is used per row.
//  - One row at a time, O(1) memory in the row count: 100 M rows stream without being held.
//  - A row without an injected error is internally consistent: the NIR's sex digit matches the first-name
//    list it was drawn from, its year and month match date_naissance (DD/MM/YYYY), its place is an INSEE
//    commune code drawn by population (Corsica 2A/2B and overseas 97x included) or 99+country (born abroad),
//    its order is 001..999 and its key is correct.
//  - Injected errors (error_rate > 0) and their effect on a correct indexer:
//      wrong-key    NIR with a wrong (but two-digit, 01..97) key        -> rejected (nir.key)
//      missing-key  NIR of 13 characters                               -> accepted (key computed)
//      separators   spaces and/or dots inside the NIR                   -> accepted (normalised)
//      truncated    line cut inside the NIR field (1..12 NIR chars kept, later fields gone) -> rejected
//      blank-line   an empty line before an otherwise valid row         -> skipped, the row is accepted
//      stray-quote  a `"` inside the nom field (never at field start)   -> accepted (NIR intact)
//      crlf         the row ends with \r\n                              -> accepted
//      latin1       the prenom is written in Latin-1 (é as 0xE9)         -> accepted (NIR intact)
//    So, for N rows, the NIRs a correct indexer accepts = N - wrong-key - truncated (duplicates included).
//  - A duplicate row repeats a recent person (same nom, prenom, date, NIR, e-mail, phone) with a fresh
//    organisme; it may also carry an injected error.
//
// Ownership: the generator owns its tables (loaded from the embedded copy of data/ by Init()).
// Thread-safety: none; use one generator per thread (with distinct seeds).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigie {

enum class DumpKind {
  kCsv,           // the health-insurance dump
  kPasswordSha1,  // HIBP lines: 40 upper-case hex digits of SHA-1, ':', count
  kPasswordNtlm,  // HIBP lines: 32 upper-case hex digits of NTLM (MD4 of UTF-16LE), ':', count
};

struct GeneratorOptions {
  DumpKind kind = DumpKind::kCsv;
  uint64_t seed = 1;
  // Share of rows that repeat a person from the last `duplicate_window` rows (CSV only).
  double duplicate_rate = 0.02;
  size_t duplicate_window = 4096;
  // Share of rows carrying one injected error, the class drawn uniformly (CSV only). > 0 also adds a BOM.
  double error_rate = 0.0;
  // Start the output with a UTF-8 BOM even without errors.
  bool bom = false;
  // Share of people born abroad (99 + INSEE country code).
  double abroad_rate = 0.05;
  bool email = false;  // adds an `email` column: prenom.nom+N@ a reserved domain (example.org, ...)
  bool phone = false;  // adds a `telephone` column: French 06/07 mobiles in varied writings
};

enum class ErrorClass : uint8_t {
  kWrongKey,
  kMissingKey,
  kSeparators,
  kTruncated,
  kBlankLine,
  kStrayQuote,
  kCrlf,
  kLatin1,
};
inline constexpr size_t kErrorClassCount = 8;

// "wrong-key", "missing-key", "separators", "truncated", "blank-line", "stray-quote", "crlf", "latin1".
std::string_view ErrorClassName(ErrorClass error);

struct ErrorCounts {
  uint64_t rows = 0;        // NextRow calls
  uint64_t duplicates = 0;  // rows that repeat an earlier person
  std::array<uint64_t, kErrorClassCount> errors{};

  uint64_t of(ErrorClass error) const { return errors[static_cast<size_t>(error)]; }
  uint64_t total_errors() const;
  // One `name=value` per line: rows, duplicates, then each error class by ErrorClassName; for stderr and for
  // tests that check an indexer's reject counts against what was injected.
  std::string ToString() const;
};

class DumpGenerator {
 public:
  explicit DumpGenerator(const GeneratorOptions& options);
  ~DumpGenerator();
  DumpGenerator(const DumpGenerator&) = delete;
  DumpGenerator& operator=(const DumpGenerator&) = delete;

  // Validates the options and loads the tables. Must succeed before Header()/NextRow().
  Status Init();

  // The first bytes of the file: optional BOM, then the header line with its "\n" (CSV); empty for passwords.
  std::string Header() const;

  // Appends one row, with its line ending(s), to *out (never clears it).
  void NextRow(std::string* out);

  const ErrorCounts& counts() const { return counts_; }

 private:
  struct Tables;
  struct Person;
  void NextCsvRow(std::string* out);
  void NextPasswordRow(std::string* out);
  void NewPerson(Person* p);
  const Person* PickPerson(Person* fresh);
  bool AppendNir(std::string_view nir, std::optional<ErrorClass> error, std::string* out);
  void AppendPhone(const Person& person, std::string* out);

  GeneratorOptions options_;
  std::unique_ptr<Tables> tables_;
  std::array<uint64_t, 4> rng_{};
  uint64_t duplicate_threshold_ = 0, error_threshold_ = 0, abroad_threshold_ = 0;
  std::unique_ptr<Person[]> ring_;
  size_t ring_filled_ = 0, ring_next_ = 0;
  ErrorCounts counts_;
};

}  // namespace vigie
