// The private path's routes (server/set_route.h): manifest, shards and `all` of a served index, their caching
// headers, errors, metrics, and agreement with the index state the range answers come from.
#include <doctest/doctest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "core/codec_set.h"
#include "core/published_set.h"
#include "server/running_server_test_util.h"
#include "server/test_index_util.h"

namespace vigie::serve {
namespace {

TEST_CASE("private path: manifest, shards and all, cacheable, agreeing with the range answers") {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  BuildIndex(dir, {.scheme = SchemeId::kSha256, .prefix_hex = 4, .shard_bits = 3}, Kind::kEmail, Emails(500));
  ServeOptions o;
  o.index_dir = dir + "/index";
  o.listen = "127.0.0.1:0";
  o.admin_listen = "127.0.0.1:0";
  o.access_log = false;
  o.rate_per_s = 0;
  RunningServer rs(o);
  auto cli = rs.client();
  auto manifest = cli.Get("/v1/set/email");
  REQUIRE(manifest);
  CHECK(manifest->status == 200);
  CHECK(manifest->get_header_value("Content-Type") == "application/json");
  CHECK(manifest->get_header_value("Cache-Control").starts_with("public, max-age="));
  CHECK(manifest->get_header_value("Access-Control-Allow-Origin") == "*");
  SetManifest m;
  REQUIRE(DecodeSetManifestJson(manifest->body, &m).ok());
  CHECK(m.count == 500);
  CHECK(m.shards.size() == 8);
  CHECK(m.generation == rs.server.state().current()->generation());
  auto again = cli.Get("/v1/set/email", {{"If-None-Match", manifest->get_header_value("ETag")}});
  CHECK(again->status == 304);

  // Every e-mail is in the shard its tag names, and its range bucket of the same state holds it too.
  std::string all;
  for (uint32_t i = 0; i < 8; ++i) {
    auto shard = cli.Get("/v1/set/email/" + ShardNumberHex(i));
    REQUIRE(shard);
    CHECK(shard->status == 200);
    CHECK(shard->get_header_value("Content-Type") == "application/octet-stream");
    CHECK(shard->get_header_value("ETag") == m.shards[i].etag);
    CHECK(shard->body.size() == m.shards[i].bytes);
    all += shard->body;
  }
  auto whole = cli.Get("/v1/set/email/all");
  REQUIRE(whole);
  CHECK(whole->body == all);
  auto scheme = MakeUnkeyedScheme(SchemeId::kSha256);
  for (const std::string& email : Emails(500)) {
    uint8_t tag[32];
    REQUIRE((*scheme)->ComputeTag(Kind::kEmail, email, tag).ok());
    const uint64_t bits = SetTagBits(tag, sizeof tag, m.tag_bits);
    const uint32_t number = SetShardOf(bits, m.tag_bits, m.shard_bits);
    SetShard shard;
    size_t consumed = 0;
    std::string_view rest = whole->body;
    for (uint32_t i = 0; i <= number; ++i) {
      REQUIRE(DecodeSetShard(rest, static_cast<uint32_t>(m.breaches.size()), &shard, &consumed).ok());
      rest.remove_prefix(consumed);
    }
    CHECK(shard.generation == m.generation);
    CHECK(FindInSetShard(shard, SetValueOf(bits, m.tag_bits, m.shard_bits)) >= 0);
  }

  struct Bad {
    const char* path;
    const char* reason;
  } bad[] = {{"/v1/set/email/8", "set.shard"},  {"/v1/set/email/08", "set.shard"}, {"/v1/set/email/A", "set.shard"},
             {"/v1/set/email/zz", "set.shard"}, {"/v1/set/car", "set.kind"},       {"/v1/set/password/0", "set.kind"}};
  for (const Bad& b : bad) {
    CAPTURE(b.path);
    auto r = cli.Get(b.path);
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(nlohmann::json::parse(r->body)["reason"] == b.reason);
  }
  CHECK(rs.server.metrics().requests(Route::kSet, 200) >= 10);
  CHECK(rs.admin_client().Get("/metrics")->body.find("vigie_http_requests_total{route=\"set\",status=\"400\"}") !=
        std::string::npos);
}

}  // namespace
}  // namespace vigie::serve
