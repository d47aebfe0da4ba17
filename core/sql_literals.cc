#include "core/sql_literals.h"

#include "core/utf8.h"

namespace vigie::sql_internal {

int HexValue(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool LooksLikeText(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    const uint8_t c = static_cast<uint8_t>(bytes[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t') || c == 0x7F) return false;
      ++i;
      continue;
    }
    const int length = Utf8SequenceLength(bytes, i);
    if (length <= 0) return false;
    i += static_cast<size_t>(length);
  }
  return true;
}

void DecodeHexInPlace(std::string* text, size_t start) {
  const size_t digits = text->size() - start;
  size_t read = start, write = start;
  if (digits % 2 == 1) (*text)[write++] = static_cast<char>(HexValue((*text)[read++]));
  while (read < text->size()) {
    const int high = HexValue((*text)[read]), low = HexValue((*text)[read + 1]);
    (*text)[write++] = static_cast<char>(high * 16 + low);
    read += 2;
  }
  text->resize(write);
}

bool MakeBinaryReadable(std::string* text, size_t start, size_t limit) {
  const std::string_view bytes(text->data() + start, text->size() - start);
  if (LooksLikeText(bytes)) return true;
  if (start + 2 * bytes.size() > limit) return false;
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string hex;
  hex.reserve(2 * bytes.size());
  for (const char c : bytes) {
    hex.push_back(kDigits[static_cast<uint8_t>(c) >> 4]);
    hex.push_back(kDigits[static_cast<uint8_t>(c) & 15]);
  }
  text->resize(start);
  text->append(hex);
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string AsciiLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

}  // namespace vigie::sql_internal
