// E-mail address normalisation (PRODUCT.md §2): one canonical byte string per address, the same in the
// indexer and every client (tests/cases/email-cases.tsv is the shared table other implementations pass).
//
// Rules, applied in this order:
//  1. Trim ASCII whitespace and no-break spaces (U+00A0 as C2 A0 or a lone byte A0, U+202F) at both ends.
//  2. Lower-case the whole address (ASCII only). No provider-specific rules: dots and "+tags" are kept.
//  3. Accept only the common "dot-atom" form of RFC 5322:
//     - ASCII only: an internationalised domain must be given in punycode ("xn--…"); UTF-8 local parts
//       (RFC 6531) are rejected, as are quoted local parts ("john doe"@x): rare in dumps, and quoting gives
//       one address several spellings, which would break "same address, same bytes".
//     - exactly one '@'; local part 1..64 characters of a-z 0-9 and !#$%&'*+/=?^_`{|}~- plus dots, a dot
//       neither first, last nor doubled;
//     - domain: at least two labels separated by dots, each 1..63 characters of a-z 0-9 '-' not starting or
//       ending with '-'; the last label (TLD) not all digits (so no IP addresses, no "[1.2.3.4]" literals);
//       no trailing dot;
//     - whole address at most 254 characters.
// Reason slugs (stable; reports count rejects by them), in the order they are tested:
//   "empty"            nothing left after trimming
//   "email.non-ascii"  a byte >= 0x80 inside the address
//   "email.characters" a space, control character or other character no address may hold (including quotes)
//   "email.at"         no '@', or more than one
//   "email.length"     more than 254 characters, or a local part over 64
//   "email.local"      empty local part, bad dot placement, or a character not allowed there
//   "email.domain"     the domain breaks one of the rules above
// Messages describe the problem and never quote the input (it is personal data).
//
// Thread-safety: pure function. On success `*canonical` is overwritten (its capacity is reused); on error
// its content is unspecified.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace vigie {

inline constexpr size_t kMaxEmailLength = 254;
inline constexpr size_t kMaxEmailLocalLength = 64;

Status NormalizeEmail(std::string_view input, std::string* canonical);

}  // namespace vigie
