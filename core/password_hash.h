// HIBP Pwned Passwords lines (PRODUCT.md §2): Vigie only ever sees password hashes, never plaintext.
//
// A line is "HASH:COUNT" as in HIBP's downloadable files, or a bare HASH (count 1). HASH is 40 hex digits for
// SHA-1, 32 for NTLM, in either case; the canonical form is upper-case hex, as HIBP serves it. COUNT is a
// positive decimal integer (digits only, leading zeros allowed) that fits in uint64. ASCII whitespace around
// the line (the CR of CRLF files) is ignored; nothing else is.
// Reason slugs (stable; reports count rejects by them):
//   "empty"            blank line
//   "password.length"  the hash is not 40 (SHA-1) / 32 (NTLM) characters long
//   "password.hex"     the hash holds a character that is not a hex digit
//   "password.count"   empty, zero, non-decimal or overflowing count (":0" padding rows of the range API
//                      are not data and are rejected too)
// Messages describe the problem and never quote the line.
//
// Thread-safety: pure functions. On error the outputs are unspecified.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigie {

enum class PasswordHash { kSha1, kNtlm };

// Hex digits of a hash of `type`: 40 or 32.
size_t PasswordHashHexLength(PasswordHash type);

// `count` may be null when the caller does not need it.
Status ParsePasswordHashLine(std::string_view line, PasswordHash type, std::string* canonical_hex, uint64_t* count);

}  // namespace vigie
