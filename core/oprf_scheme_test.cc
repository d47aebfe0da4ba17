#include "core/oprf_scheme.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

namespace vigie {
namespace {

std::shared_ptr<const oprf::OprfKey> NewKey() {
  return std::make_shared<const oprf::OprfKey>(oprf::OprfKey::Generate().value());
}

TEST_CASE("OprfScheme: tags are Evaluate(sk, \"vigie:{kind}:{canonical}\")") {
  auto key = NewKey();
  OprfScheme scheme(key);
  CHECK(scheme.id() == SchemeId::kOprfP256);
  CHECK(scheme.tag_bytes() == 32);
  CHECK(scheme.AcceptsKind(Kind::kNir));
  CHECK(scheme.AcceptsKind(Kind::kEmail));
  CHECK(scheme.AcceptsKind(Kind::kPhone));
  CHECK_FALSE(scheme.AcceptsKind(Kind::kPassword));
  for (Kind kind : {Kind::kNir, Kind::kEmail, Kind::kPhone}) {
    const std::string canonical = kind == Kind::kNir ? "185057800608491" : "someone@example.org";
    uint8_t tag[32];
    REQUIRE(scheme.ComputeTag(kind, canonical, tag).ok());
    auto want = oprf::Evaluate(oprf::Mode::kOprf, *key, TagInput(kind, canonical));
    REQUIRE(want.ok());
    CHECK(std::memcmp(tag, want->data(), 32) == 0);
  }
  uint8_t tag[32];
  CHECK(scheme.ComputeTag(Kind::kPassword, "ABC", tag).reason() == "scheme.kind");
  // The kind is part of the input.
  uint8_t a[32], b[32];
  REQUIRE(scheme.ComputeTag(Kind::kEmail, "0612345678", a).ok());
  REQUIRE(scheme.ComputeTag(Kind::kPhone, "0612345678", b).ok());
  CHECK(std::memcmp(a, b, 32) != 0);
}

TEST_CASE("OprfScheme: ComputeTags equals ComputeTag in a loop, and so does the default") {
  auto key = NewKey();
  OprfScheme scheme(key);
  auto sha = MakeUnkeyedScheme(SchemeId::kSha256);
  REQUIRE(sha.ok());
  std::vector<std::string> ids;
  for (int i = 0; i < 150; ++i) ids.push_back("1" + std::to_string(85057800600000ll + i * 7919));
  std::vector<std::string_view> views(ids.begin(), ids.end());
  for (const Scheme* s : {static_cast<const Scheme*>(&scheme), static_cast<const Scheme*>(sha->get())}) {
    for (size_t n : {0u, 1u, 64u, 65u, 150u}) {
      std::span<const std::string_view> span(views.data(), n);
      std::vector<uint8_t> batch(n * 32), loop(n * 32);
      REQUIRE(s->ComputeTags(Kind::kNir, span, batch.data()).ok());
      for (size_t i = 0; i < n; ++i) REQUIRE(s->ComputeTag(Kind::kNir, views[i], loop.data() + 32 * i).ok());
      CHECK(batch == loop);
    }
  }
  std::vector<uint8_t> out(32);
  CHECK(scheme.ComputeTags(Kind::kPassword, std::span<const std::string_view>(views.data(), 1), out.data()).reason() ==
        "scheme.kind");
  // No tag of the keyed scheme equals the unkeyed sha256 tag of the same identifier.
  uint8_t t1[32], t2[32];
  REQUIRE(scheme.ComputeTag(Kind::kNir, views[0], t1).ok());
  REQUIRE((*sha)->ComputeTag(Kind::kNir, views[0], t2).ok());
  CHECK(std::memcmp(t1, t2, 32) != 0);
}

}  // namespace
}  // namespace vigie
