// One entry point to turn user or dump input of any kind into its canonical form (PRODUCT.md §2), so that
// the indexer, vigie-check and the server cannot disagree on which normaliser a kind uses.
//
//   kNir       NormalizeNir        (core/nir.h)
//   kEmail     NormalizeEmail      (core/email.h)
//   kPhone     NormalizePhone      (core/phone.h)
//   kPassword  a HIBP line "HASH[:COUNT]" (core/password_hash.h); the type follows from the hash length (40
//   hex
//              digits: SHA-1, 32: NTLM) and the canonical form is the upper-case hex hash. The count is
//              checked but not returned. Other lengths: "password.length".
// Error reason slugs are those of the underlying normaliser; messages never quote the input.
//
// Thread-safety: pure function; `*canonical` is overwritten on success and unspecified on error.
#pragma once

#include <string>
#include <string_view>

#include "core/kind.h"
#include "core/status.h"

namespace vigie {

Status Normalize(Kind kind, std::string_view input, std::string* canonical);

}  // namespace vigie
