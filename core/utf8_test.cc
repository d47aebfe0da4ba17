#include "core/utf8.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace vigie {
namespace {

TEST_CASE("Utf8SequenceLength follows RFC 3629") {
  struct Case {
    std::string bytes;
    int length;
  };
  const std::vector<Case> cases = {
      {"a", 1},
      {"\xC3\xA9", 2},
      {"\xE2\x82\xAC", 3},
      {"\xF0\x9F\x98\x80", 4},
      {"\xC3", -1},
      {"\xE2\x82", -1},
      {"\xF0\x9F\x98", -1},
      {"\xC0\xAF", 0},
      {"\xC1\xBF", 0},          // overlong two-byte forms
      {"\xE0\x80\xAF", 0},      // overlong three-byte form
      {"\xED\xA0\x80", 0},      // a surrogate
      {"\xF4\x90\x80\x80", 0},  // past U+10FFFF
      {"\xF5\x80\x80\x80", 0},
      {"\x80", 0},
      {"\xC3\x28", 0},
      {"\xE2\x28\xA1", 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.bytes);
    CHECK(Utf8SequenceLength(c.bytes, 0) == c.length);
  }
}

TEST_CASE("AppendUtf8 writes what Utf8SequenceLength reads back") {
  for (uint32_t cp : {0x41u, 0xE9u, 0x7FFu, 0x800u, 0x20ACu, 0xFFFDu, 0x10000u, 0x1F600u, 0x10FFFFu}) {
    CAPTURE(cp);
    std::string out;
    AppendUtf8(cp, &out);
    CHECK(Utf8SequenceLength(out, 0) == static_cast<int>(out.size()));
  }
}

}  // namespace
}  // namespace vigie
