// Phone number normalisation to E.164 ("+33612345678", PRODUCT.md §2): one canonical byte string per number,
// the same in the indexer and every client (tests/cases/phone-cases.tsv is the shared table).
//
// Rules:
//  - Ignored anywhere: space, tab, '.', '-', '/', '(', ')', U+00A0 (C2 A0 or a lone byte A0), U+202F; ASCII
//    whitespace is also trimmed at both ends (a trailing CR from a dump line is harmless).
//  - '+' is allowed once, before any digit. No letters, no extensions ("x12", "poste 12").
//  - Forms, by the first digits:
//      "+CC…" or "00CC…"   international; "(0)" right after the country code is the trunk prefix written for
//                          domestic callers and is dropped (+44 (0)20… -> +4420…)
//      "0N…" (N = 1-9)     French national number: exactly 10 digits
//      "33…"               E.164 without its '+', as dumps often store it: read as "+33…". (No other country
//                          is guessed without '+' or 00: "44…" is rejected.)
//  - French numbering plan (+33, and the overseas codes +262, +590, +594, +596 that share it): after the
//    country code come exactly 9 digits, the first 1-9; a trunk '0' written there (+33 06…) is dropped.
//    Overseas numbers dialled with 0 in France belong to their own country code, so 0262/0263/0269/0639/
//    0692/0693 -> +262, 0590/0690/0691 -> +590, 0594/0694 -> +594, 0596/0696/0697 -> +596; the same applies
//    to those 9-digit blocks written after +33 (they are not allocated under +33), so every spelling of one
//    number gives one canonical form.
//  - Other countries: country code not starting with 0; 7 to 15 digits in all (E.164 caps at 15; a few
//    small countries have 7-digit international numbers, e.g. +683 4002, hence 7 rather than 8).
// Reason slugs (stable; reports count rejects by them):
//   "empty"             nothing left after removing separators
//   "phone.characters"  a letter or other character that is not a digit, a separator or a leading '+'
//   "phone.prefix"      no '+', 00, 0 or 33 in front: the country cannot be told
//   "phone.country"     a country code starting with 0 ("+0…", "000…")
//   "phone.digits"      wrong number of digits for the form (French: 10 with the 0, 9 after the country code)
// Messages describe the problem and never quote the input (it is personal data).
//
// Thread-safety: pure function. On success `*canonical` is overwritten (its capacity is reused); on error its
// content is unspecified.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace vigie {

Status NormalizePhone(std::string_view input, std::string* canonical);

}  // namespace vigie
