// UTF-8, the two things several readers need: whether bytes form a well-formed sequence (RFC 3629: no
// overlong forms, no surrogates, nothing past U+10FFFF — the rules nlohmann-json checks too), and writing a
// code point. Used by text decoding, the SQL reader's binary literals and the fast NDJSON reader.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigie {

// Length (1–4) of the well-formed UTF-8 sequence starting at s[i]; 0 when it is malformed; -1 when `s`
// ends inside an otherwise well-formed sequence. Requires i < s.size().
int Utf8SequenceLength(std::string_view s, size_t i);

// Appends code point `cp` (at most U+10FFFF) as UTF-8.
void AppendUtf8(uint32_t cp, std::string* out);

}  // namespace vigie
