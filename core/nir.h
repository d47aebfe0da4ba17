// NIR (French social security number) normalisation, key and plausibility (PRODUCT.md §2).
//
// Contract of NormalizeNir: the indexer and every client must produce the same canonical bytes, so this is
// the one definition (tests/cases/nir-cases.tsv is the shared table a JavaScript port must also pass).
//  - Ignored anywhere: space, tab, '.', '-', '/', U+00A0 (UTF-8 C2 A0, or a lone Latin-1 byte A0), U+202F.
//    Nothing else is ignored (not CR/LF either: splitting lines is the reader's job).
//  - What remains is 15 characters (13 + key) or 13 (the key is computed and appended). Digits everywhere,
//    except positions 6-7 (1-based) which may be 2A/2B, upper or lower case.
//  - Canonical: 15 ASCII characters, upper case, Corsica letter kept ("…2A…").
//  - Key = 97 - (N mod 97), N being the 13 first characters read as a number with 2A -> 19 and 2B -> 18 at
//    positions 6-7. Keys are therefore 01..97; 00, 98 and 99 can never be right.
// Reason slugs of the returned Status (stable; reports count rejects by them), in the order they are tested:
//   "nir.characters"  a character that is neither a digit, an ignored separator, nor a letter at positions
//                     6-7; letters at other positions land here too
//   "nir.corsica"     a letter at positions 6-7 that does not make 2A/2B (e.g. "2C", "1A", "A2")
//   "empty"           nothing left once separators are removed
//   "nir.length"      not 13 or 15 characters once separators are removed
//   "nir.key-range"   a key of 00, 98 or 99
//   "nir.key"         the key does not match the 13 first characters
// Messages describe the problem and never quote the input or any of its digits (it is personal data).
//
// Plausibility (sex digit, month, département, commune, order) is separate: CheckNirPlausibility reports and
// never rejects, since a NIR that looks odd may still be real (provisional numbers, historic codes).
//
// Thread-safety: pure functions. NormalizeNir allocates nothing on success beyond growing `canonical` once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigie {

inline constexpr size_t kNirLength = 15;

// Normalises `input` into `*canonical` (15 characters). On error `*canonical` is left unspecified.
Status NormalizeNir(std::string_view input, std::string* canonical);

// The key (1..97) of 13 canonical characters (digits, or upper-case 2A/2B at positions 6-7); -1 when
// `first13` is not exactly that.
int ComputeNirKey(std::string_view first13);

// Problem slugs reported by CheckNirPlausibility (static strings):
//   "nir.not-canonical"  not 15 canonical characters (nothing else is checked then)
//   "nir.key"            the key does not match
//   "nir.sex"            first digit not 1, 2 (people), 3, 4 (provisional), 7, 8 (temporary numbers, NIA)
//   "nir.month"          month not 01-12 nor 20-99 (20-42 and 50+ are used when the month is unknown)
//   "nir.department"     département not one of: 01-19, 21-95; 20 (Corsica before its 1976 split: the code
//                        is the one in force at birth); 2A, 2B; 96 (Tunisia before 1956); 971-978 and
//                        984-989 (overseas, 2-digit commune); 99 (born abroad). 00, 970, 979, 980-983 are
//                        reported (Monaco is coded as a foreign country, 99 138).
//   "nir.commune"        commune 000 (or 00 after a 3-digit overseas département)
//   "nir.country"        born abroad (99) with an INSEE country code below 101 (foreign codes run 101-999)
//   "nir.order"          order number 000
struct NirPlausibility {
  bool plausible = true;
  std::vector<std::string_view> problems;
};

NirPlausibility CheckNirPlausibility(std::string_view canonical);

}  // namespace vigie
