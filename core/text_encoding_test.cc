#include "core/text_encoding.h"

#include <doctest/doctest.h>

#include <string>

namespace vigie {
namespace {

std::string Utf16(std::string_view ascii, bool le, bool bom) {
  std::string out;
  if (bom) out += le ? "\xFF\xFE" : "\xFE\xFF";
  for (char c : ascii) {
    out += le ? std::string{c, '\0'} : std::string{'\0', c};
  }
  return out;
}

std::string Decode(std::string_view input, TextEncoding encoding, size_t max_read = SIZE_MAX) {
  StringSource source(input, max_read);
  TextDecoder decoder(&source, encoding);
  std::string out;
  REQUIRE(ReadAll(&decoder, &out).ok());
  return out;
}

TEST_CASE("DetectEncoding") {
  CHECK(DetectEncoding("email;nom\na@b.fr;Zoé\n") == TextEncoding::kUtf8);
  CHECK(DetectEncoding("\xEF\xBB\xBF"
                       "email") == TextEncoding::kUtf8);
  CHECK(DetectEncoding(Utf16("email;nom\n", true, true)) == TextEncoding::kUtf16Le);
  CHECK(DetectEncoding(Utf16("email;nom\n", false, true)) == TextEncoding::kUtf16Be);
  CHECK(DetectEncoding(Utf16("email;nom\n", true, false)) == TextEncoding::kUtf16Le);
  CHECK(DetectEncoding(Utf16("email;nom\n", false, false)) == TextEncoding::kUtf16Be);
  CHECK(DetectEncoding("num\xE9ro_s\xE9"
                       "cu;nom\n") == TextEncoding::kWindows1252);
  // A UTF-8 sequence cut by the end of the sample is still UTF-8.
  CHECK(DetectEncoding("nom;Zo\xC3") == TextEncoding::kUtf8);
}

TEST_CASE("TextDecoder: UTF-16 both ways, surrogates, odd bytes; Windows-1252") {
  for (size_t max_read : {SIZE_MAX, size_t{1}, size_t{3}}) {
    CAPTURE(max_read);
    CHECK(Decode(Utf16("a@b.fr;1\n", true, true), TextEncoding::kUtf16Le, max_read) == "a@b.fr;1\n");
    CHECK(Decode(Utf16("a@b.fr;1\n", false, true), TextEncoding::kUtf16Be, max_read) == "a@b.fr;1\n");
    // é (U+00E9), € (U+20AC), 😀 (U+1F600 as a surrogate pair)
    CHECK(Decode(std::string("\xE9\x00\xAC\x20\x3D\xD8\x00\xDE", 8), TextEncoding::kUtf16Le, max_read) ==
          "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    CHECK(Decode(std::string("\x3D\xD8"
                             "a\x00",
                             4),
                 TextEncoding::kUtf16Le, max_read) ==
          "\xEF\xBF\xBD"
          "a");
    CHECK(Decode(std::string("a\x00"
                             "b",
                             3),
                 TextEncoding::kUtf16Le, max_read) == "a\xEF\xBF\xBD");
    CHECK(Decode("Z\xE9ro \x80 \x81", TextEncoding::kWindows1252, max_read) == "Z\xC3\xA9ro \xE2\x82\xAC \xEF\xBF\xBD");
  }
  CHECK(ParseEncodingName("latin-1").ok());
  CHECK(ParseEncodingName("ebcdic").status().reason() == "add.encoding");
}

}  // namespace
}  // namespace vigie
