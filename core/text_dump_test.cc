#include "core/text_dump.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/nir.h"

namespace vigie {
namespace {

// A valid NIR for the first 13 characters.
std::string WithKey(const std::string& first13) {
  const int key = ComputeNirKey(first13);
  return first13 + (key < 10 ? "0" : "") + std::to_string(key);
}

std::string Scan(std::string_view text, size_t max_read = SIZE_MAX) {
  StringSource source(text, max_read);
  StringSink sink;
  RecordWriter out(&sink);
  REQUIRE(TranscodeText(&source, &out).ok());
  return sink.out;
}

TEST_CASE("Free text: identifiers anywhere on a line, each in its column") {
  const std::string nir = WithKey("1850578006048");
  const std::string spaced = nir.substr(0, 1) + " " + nir.substr(1, 2) + " " + nir.substr(3, 2) + " " +
                             nir.substr(5, 2) + " " + nir.substr(7, 3) + " " + nir.substr(10, 3) + " " +
                             nir.substr(13, 2);
  const std::string corsica = WithKey("285052A006048");
  std::string bad_key = nir;
  bad_key[14] = bad_key[14] == '9' ? '0' : static_cast<char>(bad_key[14] + 1);
  const std::string text = "Ticket 4411: M. X (NIR " + spaced +
                           ") écrit depuis jean.x@example.fr, rappeler au 06 12 34 56 78.\n"
                           "order 9" +
                           nir + " and ref " + bad_key +
                           "\n"
                           "+33 6 12 34 56 79 / " +
                           corsica + "\n";
  const std::string H =
      "nir\x1f"
      "email\x1f"
      "phone\n";
  const std::string expected = H + spaced + "\x1f\x1f\n" +
                               "\x1f"
                               "jean.x@example.fr\x1f\n" +
                               "\x1f\x1f"
                               "06 12 34 56 78\n" +
                               "\x1f\x1f"
                               "+33 6 12 34 56 79\n" +
                               corsica + "\x1f\x1f\n";
  for (size_t max_read : {SIZE_MAX, size_t{1}, size_t{5}}) {
    CAPTURE(max_read);
    CHECK(Scan(text, max_read) == expected);
  }
}

TEST_CASE("Free text: nothing from numbers glued to letters or digits") {
  const std::string nir = WithKey("1850578006048");
  const std::string H =
      "nir\x1f"
      "email\x1f"
      "phone\n";
  CHECK(Scan("FR76" + nir + "\n") == H);
  CHECK(Scan(nir + "0\n") == H);
  CHECK(Scan("0612345678901\n") == H);
  CHECK(Scan("no identifiers here @ all\n") == H);
}

}  // namespace
}  // namespace vigie
