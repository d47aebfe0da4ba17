#include "core/text_encoding.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/utf8.h"

namespace vigie {

namespace {

constexpr size_t kReadBlock = 1 << 20;
constexpr uint32_t kReplacement = 0xFFFD;

// Windows-1252 0x80..0x9F (the rest of the high half is Latin-1, code point = byte); 0 = unassigned.
constexpr std::array<uint16_t, 32> kCp1252High = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                                  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                                  0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                                  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

// UTF-8 unless invalid bytes outnumber valid multi-byte sequences: a UTF-8 export with a few stray Latin-1
// bytes (a badly merged file) is still UTF-8, and its stray bytes stay in fields that are rarely selected.
bool LooksLikeUtf8(std::string_view s) {
  size_t multibyte = 0, invalid = 0;
  for (size_t i = 0; i < s.size();) {
    const int len = Utf8SequenceLength(s, i);
    if (len < 0) break;
    if (len == 0) {
      ++invalid;
      ++i;
      continue;
    }
    multibyte += len > 1;
    i += static_cast<size_t>(len);
  }
  return invalid == 0 || multibyte > invalid;
}

}  // namespace

std::string_view EncodingName(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::kUtf8:
      return "utf-8";
    case TextEncoding::kUtf16Le:
      return "utf-16le";
    case TextEncoding::kUtf16Be:
      return "utf-16be";
    case TextEncoding::kWindows1252:
      return "windows-1252";
  }
  return "?";
}

Result<TextEncoding> ParseEncodingName(std::string_view name) {
  for (TextEncoding e :
       {TextEncoding::kUtf8, TextEncoding::kUtf16Le, TextEncoding::kUtf16Be, TextEncoding::kWindows1252}) {
    if (EncodingName(e) == name) return e;
  }
  if (name == "latin-1" || name == "latin1" || name == "iso-8859-1") return TextEncoding::kWindows1252;
  return Status::InvalidArgument("add.encoding",
                                 "unknown encoding (known: utf-8, utf-16le, utf-16be, windows-1252, latin-1)");
}

TextEncoding DetectEncoding(std::string_view sample) {
  if (sample.size() >= 3 && std::memcmp(sample.data(), "\xEF\xBB\xBF", 3) == 0) return TextEncoding::kUtf8;
  if (sample.size() >= 2 && std::memcmp(sample.data(), "\xFF\xFE", 2) == 0) return TextEncoding::kUtf16Le;
  if (sample.size() >= 2 && std::memcmp(sample.data(), "\xFE\xFF", 2) == 0) return TextEncoding::kUtf16Be;
  const size_t pairs = std::min<size_t>(sample.size() / 2, 4096);
  size_t even_zero = 0, odd_zero = 0;
  for (size_t i = 0; i < pairs; ++i) {
    even_zero += sample[2 * i] == 0;
    odd_zero += sample[2 * i + 1] == 0;
  }
  if (pairs >= 4) {
    if (odd_zero * 10 >= pairs * 7 && even_zero * 10 <= pairs) return TextEncoding::kUtf16Le;
    if (even_zero * 10 >= pairs * 7 && odd_zero * 10 <= pairs) return TextEncoding::kUtf16Be;
  }
  return LooksLikeUtf8(sample) ? TextEncoding::kUtf8 : TextEncoding::kWindows1252;
}

void TextDecoder::DecodeWindows1252(std::string_view bytes) {
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out_.push_back(c);
    } else {
      const uint32_t cp = b < 0xA0 ? kCp1252High[b - 0x80] : b;
      AppendUtf8(cp == 0 ? kReplacement : cp, &out_);
    }
  }
}

void TextDecoder::DecodeUtf16(std::string_view bytes) {
  const bool le = encoding_ == TextEncoding::kUtf16Le;
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) {
    const auto b0 = static_cast<unsigned char>(bytes[i]), b1 = static_cast<unsigned char>(bytes[i + 1]);
    const uint32_t unit = le ? (b1 << 8 | b0) : (b0 << 8 | b1);
    if (!started_) {
      started_ = true;
      if (unit == 0xFEFF) continue;
    }
    if (high_surrogate_ != 0) {
      const uint32_t high = high_surrogate_;
      high_surrogate_ = 0;
      if (unit >= 0xDC00 && unit <= 0xDFFF) {
        AppendUtf8(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00), &out_);
        continue;
      }
      AppendUtf8(kReplacement, &out_);
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      high_surrogate_ = unit;
    } else if (unit < 0x80) {
      out_.push_back(static_cast<char>(unit));
    } else {
      AppendUtf8(unit >= 0xDC00 && unit <= 0xDFFF ? kReplacement : unit, &out_);
    }
  }
  in_.assign(bytes.substr(i));
}

Status TextDecoder::Fill() {
  while (out_pos_ == out_.size() && !eof_) {
    out_.clear();
    out_pos_ = 0;
    std::string block = in_;
    const size_t old = block.size();
    block.resize(old + kReadBlock);
    auto n = inner_->Read(block.data() + old, kReadBlock);
    if (!n.ok()) return n.status();
    block.resize(old + *n);
    if (*n == 0) {
      eof_ = true;
      if (high_surrogate_ != 0 || !in_.empty()) AppendUtf8(kReplacement, &out_);
      return Status::Ok();
    }
    if (encoding_ == TextEncoding::kWindows1252) {
      DecodeWindows1252(block);
    } else if (encoding_ == TextEncoding::kUtf8) {
      out_ = std::move(block);
    } else {
      DecodeUtf16(block);
    }
  }
  return Status::Ok();
}

Result<size_t> TextDecoder::Read(char* buf, size_t cap) {
  VIGIE_RETURN_IF_ERROR(Fill());
  return TakeBuffered(out_, &out_pos_, buf, cap);
}

}  // namespace vigie
