// The byte rules under the SQL dump reader (core/sql_dump.h, core/sql_lexer.h): which bytes make words and
// space, how hex digits and \u escapes decode, and what a binary value becomes in a record. Internal to the SQL
// reader and its tests.
//
// Pure functions; safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigie::sql_internal {

inline constexpr uint8_t kIdentClass = 1;  // bytes of a bare SQL word: letters, digits, '_', '$', non-ASCII
inline constexpr uint8_t kSpaceClass = 2;

constexpr std::array<uint8_t, 257> MakeByteClasses() {
  std::array<uint8_t, 257> classes{};  // index 0 is -1, the end of input: neither
  for (int c = 0; c < 256; ++c) {
    const bool ident =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    classes[c + 1] = static_cast<uint8_t>((ident ? kIdentClass : 0) | (space ? kSpaceClass : 0));
  }
  return classes;
}

inline constexpr std::array<uint8_t, 257> kByteClasses = MakeByteClasses();

// Inline: the lexer's inner loops call them on every byte. `c` is a byte (0..255) or -1.
inline bool IsIdentByte(int c) { return (kByteClasses[static_cast<size_t>(c + 1)] & kIdentClass) != 0; }
inline bool IsSpaceByte(int c) { return (kByteClasses[static_cast<size_t>(c + 1)] & kSpaceClass) != 0; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b);  // ASCII letters only
std::string AsciiLower(std::string_view text);

int HexValue(int c);  // -1 when `c` is not a hex digit
// Well-formed UTF-8 (no overlong forms, no surrogates) without control characters other than tab: what a
// text column holds, and a binary hash almost never does.
bool LooksLikeText(std::string_view bytes);

// Decodes the hex digits text[start, end) in place; an odd count reads as if led by a '0' (as MySQL does).
// Every byte in the range must be a hex digit.
void DecodeHexInPlace(std::string* text, size_t start);

// Hex literals and _binary strings: text[start, end) is kept when it LooksLikeText, else replaced by its
// upper-case hex digits, which is what a binary password hash column should become. False, and `text`
// unchanged, when the hex form would make `text` longer than `limit`.
bool MakeBinaryReadable(std::string* text, size_t start, size_t limit);

}  // namespace vigie::sql_internal
