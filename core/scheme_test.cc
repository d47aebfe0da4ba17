// Schemes: names round-trip, tag sizes and accepted kinds per scheme, the sha256 tag is SHA-256 of
// "vigie:{kind}:{canonical}", password schemes use the hash itself, and the batch path equals the loop.
#include "core/scheme.h"

#include <doctest/doctest.h>
#include <openssl/sha.h>

#include "core/codec.h"

namespace vigie {
namespace {

TEST_CASE("scheme names, tag sizes and kinds") {
  struct Case {
    SchemeId id;
    std::string_view name;
    size_t tag_bytes;
  };
  for (const Case& c : {Case{SchemeId::kSha256, "sha256", 32}, Case{SchemeId::kSha1, "sha1", 20},
                        Case{SchemeId::kNtlm, "ntlm", 16}, Case{SchemeId::kOprfP256, "oprf-p256", 32}}) {
    CAPTURE(c.name);
    CHECK(SchemeName(c.id) == c.name);
    CHECK(ParseSchemeName(c.name) == c.id);
    CHECK(SchemeTagBytes(c.id) == c.tag_bytes);
  }
  CHECK_FALSE(ParseSchemeName("SHA256").has_value());
  CHECK_FALSE(ParseSchemeName("").has_value());
  CHECK(MakeUnkeyedScheme(SchemeId::kOprfP256).status().code() != Code::kOk);  // needs a key

  auto sha256 = MakeUnkeyedScheme(SchemeId::kSha256);
  auto sha1 = MakeUnkeyedScheme(SchemeId::kSha1);
  REQUIRE(sha256.ok());
  REQUIRE(sha1.ok());
  for (Kind kind : kAllKinds) {
    CAPTURE(KindName(kind));
    CHECK((*sha256)->AcceptsKind(kind) == (kind != Kind::kPassword));
    CHECK((*sha1)->AcceptsKind(kind) == (kind == Kind::kPassword));
  }
}

TEST_CASE("sha256 tags are SHA-256 of the tag input; other kinds give other tags") {
  auto scheme = MakeUnkeyedScheme(SchemeId::kSha256);
  REQUIRE(scheme.ok());
  CHECK(TagInput(Kind::kEmail, "a@example.org") == "vigie:email:a@example.org");
  uint8_t tag[32], expected[32], as_phone[32];
  REQUIRE((*scheme)->ComputeTag(Kind::kEmail, "a@example.org", tag).ok());
  const std::string input = TagInput(Kind::kEmail, "a@example.org");
  SHA256(reinterpret_cast<const uint8_t*>(input.data()), input.size(), expected);
  CHECK(HexEncode(tag, 32) == HexEncode(expected, 32));
  REQUIRE((*scheme)->ComputeTag(Kind::kPhone, "a@example.org", as_phone).ok());
  CHECK(HexEncode(tag, 32) != HexEncode(as_phone, 32));
}

TEST_CASE("password schemes: the tag is the hash; anything else is refused") {
  auto sha1 = MakeUnkeyedScheme(SchemeId::kSha1);
  REQUIRE(sha1.ok());
  const std::string hash = "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8";  // SHA-1 of "password"
  uint8_t tag[20];
  REQUIRE((*sha1)->ComputeTag(Kind::kPassword, hash, tag).ok());
  CHECK(HexEncode(tag, 20, /*upper=*/true) == hash);
  CHECK_FALSE((*sha1)->ComputeTag(Kind::kEmail, "a@example.org", tag).ok());
}

TEST_CASE("batch tags equal one-by-one tags") {
  auto scheme = MakeUnkeyedScheme(SchemeId::kSha256);
  REQUIRE(scheme.ok());
  const std::vector<std::string_view> inputs = {"a@example.org", "b@example.org", "", "c@example.org"};
  std::vector<uint8_t> batch(inputs.size() * 32);
  REQUIRE((*scheme)->ComputeTags(Kind::kEmail, inputs, batch.data()).ok());
  for (size_t i = 0; i < inputs.size(); ++i) {
    uint8_t one[32];
    REQUIRE((*scheme)->ComputeTag(Kind::kEmail, inputs[i], one).ok());
    CHECK(HexEncode(one, 32) == HexEncode(batch.data() + i * 32, 32));
  }
}

}  // namespace
}  // namespace vigie
