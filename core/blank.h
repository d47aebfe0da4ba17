// The "blank" characters identifier normalisation ignores (PRODUCT.md §2): tab, space and the other ASCII
// whitespace, plus the no-break spaces French typography inserts when people copy numbers from documents:
// U+00A0 (UTF-8 C2 A0, and a lone Latin-1 byte A0 from files that are not UTF-8) and U+202F (E2 80 AF).
//
// Header-only, pure functions on byte strings; thread-safe. Internal to the normalisers in core/.
#pragma once

#include <cstddef>
#include <string_view>

namespace vigie::blank {

inline bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Bytes taken by a no-break space starting at s[i] (0 when there is none).
inline size_t NbspAt(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  if (b(i) == 0xA0) return 1;
  if (b(i) == 0xC2 && i + 1 < s.size() && b(i + 1) == 0xA0) return 2;
  if (b(i) == 0xE2 && i + 2 < s.size() && b(i + 1) == 0x80 && b(i + 2) == 0xAF) return 3;
  return 0;
}

// Bytes taken by a no-break space ending just before s[end] (0 when there is none).
inline size_t NbspBefore(std::string_view s, size_t end) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  if (end >= 3 && b(end - 3) == 0xE2 && b(end - 2) == 0x80 && b(end - 1) == 0xAF) return 3;
  if (end >= 2 && b(end - 2) == 0xC2 && b(end - 1) == 0xA0) return 2;
  if (end >= 1 && b(end - 1) == 0xA0) return 1;
  return 0;
}

// `s` without leading and trailing ASCII whitespace.
inline std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

// `s` without leading and trailing ASCII whitespace and no-break spaces.
inline std::string_view Trim(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    if (IsAsciiSpace(s[begin])) {
      ++begin;
    } else if (size_t n = NbspAt(s, begin); n > 0) {
      begin += n;
    } else {
      break;
    }
  }
  size_t end = s.size();
  while (end > begin) {
    if (IsAsciiSpace(s[end - 1])) {
      --end;
    } else if (size_t n = NbspBefore(s, end); n > 0 && end - n >= begin) {
      end -= n;
    } else {
      break;
    }
  }
  return s.substr(begin, end - begin);
}

}  // namespace vigie::blank
