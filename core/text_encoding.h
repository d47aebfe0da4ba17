// Text encodings of leak dumps: UTF-8 (read as is), UTF-16 (Windows exports: "Unicode text" from Excel, SQL
// Server tools) and Windows-1252/Latin-1 (older French exports), detected from the first bytes and decoded
// to UTF-8 by TextDecoder before any other stage reads the text.
//
// Detection (DetectEncoding, on a sample of the first bytes):
//   - a byte order mark: EF BB BF → UTF-8, FF FE → UTF-16LE, FE FF → UTF-16BE;
//   - without one, UTF-16 when most even (BE) or odd (LE) bytes of the sample are zero and the others are not
//     (text that is mostly ASCII, as dumps are);
//   - else UTF-8 when the sample is valid UTF-8 (a sequence cut by the sample's end is fine), or when its
//     valid multi-byte sequences outnumber its invalid bytes (a UTF-8 file with a few stray Latin-1 bytes);
//   - else Windows-1252 (a superset of Latin-1's printable characters).
// Decoding never fails: an unpaired UTF-16 surrogate or an odd final byte becomes U+FFFD (the field holding
// it is then rejected by the normaliser if it was selected). A UTF-16 byte order mark is dropped.
//
// TextDecoder borrows `inner`; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/byte_stream.h"
#include "core/status.h"

namespace vigie {

enum class TextEncoding { kUtf8, kUtf16Le, kUtf16Be, kWindows1252 };

std::string_view EncodingName(TextEncoding encoding);  // "utf-8", "utf-16le", "utf-16be", "windows-1252"
Result<TextEncoding> ParseEncodingName(std::string_view name);
TextEncoding DetectEncoding(std::string_view sample);

class TextDecoder : public ByteSource {
 public:
  TextDecoder(ByteSource* inner, TextEncoding encoding) : inner_(inner), encoding_(encoding) {}

  Result<size_t> Read(char* buf, size_t cap) override;
  uint64_t raw_bytes_read() const override { return inner_->raw_bytes_read(); }

 private:
  Status Fill();
  void DecodeUtf16(std::string_view bytes);
  void DecodeWindows1252(std::string_view bytes);

  ByteSource* inner_;
  TextEncoding encoding_;
  std::string in_;  // undecoded bytes carried over (half a UTF-16 unit or a high surrogate)
  std::string out_;
  size_t out_pos_ = 0;
  bool started_ = false;  // past the byte order mark
  uint32_t high_surrogate_ = 0;
  bool eof_ = false;
};

}  // namespace vigie
