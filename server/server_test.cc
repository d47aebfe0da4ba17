// In-process tests of the whole server: real indexes in temporary directories, a Server on a free
// loopback port, requests through httplib's client.
#include <doctest/doctest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/indexer.h"
#include "core/scheme.h"
#include "server/router.h"
#include "server/running_server_test_util.h"
#include "server/server.h"
#include "server/test_index_util.h"

namespace vigie::serve {
namespace {

namespace fs = std::filesystem;

// (prefix hex, suffix hex) of an e-mail in a sha256 index with this layout.
std::pair<std::string, std::string> EmailTag(const std::string& email, const TagLayout& layout) {
  auto scheme = MakeUnkeyedScheme(SchemeId::kSha256);
  std::vector<uint8_t> tag(32);
  REQUIRE((*scheme)->ComputeTag(Kind::kEmail, email, tag.data()).ok());
  std::string hex = HexEncode(tag.data(), tag.size());
  return {hex.substr(0, layout.prefix_hex), hex.substr(layout.prefix_hex, layout.suffix_hex)};
}

ServeOptions Options(const std::string& dir) {
  ServeOptions o;
  o.index_dir = dir + "/index";
  o.listen = "127.0.0.1:0";
  o.admin_listen = "127.0.0.1:0";
  o.threads = 8;
  o.access_log = false;
  o.rate_per_s = 0;
  o.reload_check_s = 0.05;
  return o;
}

TEST_CASE("range API: bodies, lookups, validation, caching headers, CORS, errors") {
  // With the (opt-in) body cache, so that its counters are exercised too.
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  BuildIndex(dir, {.scheme = SchemeId::kSha256, .prefix_hex = 4}, Kind::kEmail, Emails(2000));
  ServeOptions with_cache = Options(dir);
  with_cache.cache_bytes = 16 << 20;
  RunningServer rs(with_cache);
  auto cli = rs.client();
  const TagLayout layout{4, 16};

  // A present e-mail is in its bucket with the breach; the bucket answers in either case.
  auto [prefix, suffix] = EmailTag("user7@example.org", layout);
  auto res = cli.Get("/v1/range/email/" + prefix);
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "application/json");
  CHECK(res->get_header_value("Access-Control-Allow-Origin") == "*");
  CHECK(res->get_header_value("Cache-Control") == "public, max-age=3600");
  CHECK(!res->get_header_value("Last-Modified").empty());
  const std::string etag = res->get_header_value("ETag");
  CHECK(etag == BodyEtag(res->body));
  RangeResponse r;
  REQUIRE(DecodeRangeJson(res->body, &r).ok());
  CHECK(r.prefix == prefix);
  CHECK(r.kind == Kind::kEmail);
  const RangeEntry* hit = r.Find(suffix);
  REQUIRE(hit);
  REQUIRE(hit->breaches.size() == 1);
  CHECK(r.breaches[hit->breaches[0]] == "acme-2024");
  std::string upper = prefix;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  auto res_upper = cli.Get("/v1/range/email/" + upper);
  REQUIRE(res_upper);
  CHECK(res_upper->body == res->body);  // case-insensitive prefix, same body

  auto [absent_prefix, absent_suffix] = EmailTag("nobody@example.org", layout);
  auto miss = cli.Get("/v1/range/email/" + absent_prefix);
  REQUIRE(miss);
  CHECK(miss->status == 200);
  REQUIRE(DecodeRangeJson(miss->body, &r).ok());
  CHECK(r.Find(absent_suffix) == nullptr);

  // 304 for a matching If-None-Match (strong or weak), 200 otherwise.
  auto not_modified = cli.Get("/v1/range/email/" + prefix, {{"If-None-Match", etag}});
  REQUIRE(not_modified);
  CHECK(not_modified->status == 304);
  CHECK(not_modified->body.empty());
  CHECK(not_modified->get_header_value("ETag") == etag);
  CHECK(cli.Get("/v1/range/email/" + prefix, {{"If-None-Match", "W/" + etag}})->status == 304);
  CHECK(cli.Get("/v1/range/email/" + prefix, {{"If-None-Match", "\"0000\""}})->status == 200);
  CHECK(cli.Get("/v1/range/email/" + prefix, {{"If-Modified-Since", res->get_header_value("Last-Modified")}})->status ==
        304);

  // gzip when accepted: weak ETag, Vary, the same bytes once inflated.
  httplib::Client gz("127.0.0.1", rs.server.port());
  gz.set_decompress(false);
  auto zipped = gz.Get("/v1/openapi.json", {{"Accept-Encoding", "gzip, br"}});
  REQUIRE(zipped);
  CHECK(zipped->get_header_value("Content-Encoding") == "gzip");
  CHECK(zipped->get_header_value("Vary") == "Accept-Encoding");
  auto plain = cli.Get("/v1/openapi.json");
  CHECK(plain->get_header_value("Content-Encoding").empty());
  CHECK(plain->body == OpenApiJson());
  CHECK(zipped->body.size() < plain->body.size() / 2);
  CHECK(zipped->get_header_value("ETag") == "W/" + plain->get_header_value("ETag"));
  CHECK(cli.Get("/v1/openapi.json", {{"If-None-Match", zipped->get_header_value("ETag")}})->status == 304);
  auto inflated = cli.Get("/v1/openapi.json", {{"Accept-Encoding", "gzip"}});  // the client inflates
  CHECK(inflated->body == plain->body);

  // HEAD: headers only.
  auto head = cli.Head("/v1/range/email/" + prefix);
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->body.empty());
  CHECK(head->get_header_value("ETag") == etag);

  // Validation: 400 JSON with a reason.
  struct Bad {
    std::string path;
    int status;
    std::string reason;
  } bad[] = {
      {"/v1/range/email/abc", 400, "prefix.length"},
      {"/v1/range/email/abcde", 400, "prefix.length"},
      {"/v1/range/email/abcg", 400, "prefix.characters"},
      {"/v1/range/email/%20bcd", 400, "prefix.characters"},
      {"/v1/range/password/abcd", 400, "range.kind"},
      {"/v1/range/EMAIL/abcd", 400, "range.kind"},
      {"/v1/range/car/abcd", 400, "range.kind"},
      {"/range/abcde", 404, "range.hibp"},
      {"/v1/breaches/nope", 404, "breach.unknown"},
      {"/nope", 404, "route.unknown"},
      {"/index.html", 404, "route.unknown"},
      {"/static/nope.js", 404, "route.unknown"},
      {"/static/..", 404, "route.unknown"},
      {"/static/%2e%2e%2fCMakeLists.txt", 404, "route.unknown"},
  };
  for (const Bad& b : bad) {
    CAPTURE(b.path);
    auto e = cli.Get(b.path);
    REQUIRE(e);
    CHECK(e->status == b.status);
    auto j = nlohmann::json::parse(e->body);
    CHECK(j["reason"] == b.reason);
    CHECK(!j["error"].get<std::string>().empty());
    CHECK(e->get_header_value("Access-Control-Allow-Origin") == "*");
  }
  auto post = cli.Post("/v1/range/email/abcd", "x", "text/plain");
  REQUIRE(post);
  CHECK(post->status == 405);
  CHECK(post->get_header_value("Allow") == "GET, HEAD, OPTIONS");
  auto preflight = cli.Options("/v1/range/email/abcd");
  REQUIRE(preflight);
  CHECK(preflight->status == 204);
  CHECK(preflight->get_header_value("Access-Control-Allow-Methods") == "GET, HEAD, OPTIONS");
  CHECK(preflight->get_header_value("Access-Control-Allow-Headers").find("If-None-Match") != std::string::npos);
  auto long_url = cli.Get("/v1/range/email/" + std::string(3000, 'a'));
  REQUIRE(long_url);
  CHECK(long_url->status == 414);
  auto big_headers = cli.Get("/healthz", {{"X-Junk", std::string(5000, 'j')}, {"X-Junk2", std::string(5000, 'j')}});
  REQUIRE(big_headers);
  CHECK(big_headers->status == 431);

  // Breaches, health, metrics.
  auto breaches = cli.Get("/v1/breaches");
  REQUIRE(breaches);
  auto list = nlohmann::json::parse(breaches->body);
  REQUIRE(list.size() == 1);
  CHECK(list[0]["Name"] == "acme-2024");
  CHECK(list[0]["PwnCount"] == 2000);
  CHECK(list[0]["AddedDate"].get<std::string>().size() == 20);
  auto one = cli.Get("/v1/breaches/acme-2024");
  REQUIRE(one);
  CHECK(nlohmann::json::parse(one->body) == list[0]);
  CHECK(cli.Get("/healthz")->body == "{\"status\":\"ok\"}");
  CHECK(nlohmann::json::parse(cli.Get("/readyz")->body)["status"] == "ready");
  auto metrics = rs.admin_client().Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("vigie_http_requests_total{route=\"range\",status=\"200\"}") != std::string::npos);
  CHECK(metrics->body.find("vigie_http_requests_total{route=\"range\",status=\"400\"}") != std::string::npos);
  CHECK(metrics->body.find("vigie_bucket_cache_hits_total") != std::string::npos);
  CHECK(metrics->body.find("vigie_http_request_duration_seconds_bucket{route=\"range\",le=\"+Inf\"}") !=
        std::string::npos);
  CHECK(metrics->body.find("vigie_index_generation") != std::string::npos);
  CHECK(rs.server.metrics().cache_hits() > 0);
  CHECK(rs.server.metrics().cache_misses() > 0);
}

TEST_CASE("padded index: every /v1/range body has the same length and no gzip") {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  BuildIndex(dir, {.scheme = SchemeId::kSha256, .prefix_hex = 4, .pad_responses = true}, Kind::kEmail, Emails(3000));
  std::ofstream(dir + "/index/padding.key") << "test padding secret";
  RunningServer rs(Options(dir));
  auto cli = rs.client();
  std::set<size_t> sizes;
  size_t rows = 0;
  for (uint32_t p = 0; p < 65536; p += 97) {
    for (const char* kind : {"email", "phone", "nir"}) {
      auto res = cli.Get(std::string("/v1/range/") + kind + "/" + TagLayout{4, 16}.PrefixHex(p),
                         {{"Accept-Encoding", "gzip"}});
      REQUIRE(res);
      REQUIRE(res->status == 200);
      CHECK(res->get_header_value("Content-Encoding").empty());
      sizes.insert(res->body.size());
      RangeResponse r;
      REQUIRE(DecodeRangeJson(res->body, &r).ok());
      if (rows == 0) rows = r.entries.size();
      CHECK(r.entries.size() == rows);
    }
  }
  CHECK(rows > 0);
  CHECK(sizes.size() == 1);
  // A second server with the same key answers byte for byte the same (replicas, CDN caches).
  RunningServer replica(Options(dir));
  auto cli2 = replica.client();
  CHECK(cli.Get("/v1/range/email/0a0b")->body == cli2.Get("/v1/range/email/0a0b")->body);
}

TEST_CASE("Pwned Passwords range: byte format, modes, padding") {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  std::vector<std::string> lines;
  // 200 synthetic SHA-1 hashes sharing the prefix 21BD1, plus others.
  for (int i = 0; i < 200; ++i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "21BD1%035X:%d", i * 7919 + 1, i + 1);
    lines.push_back(buf);
    std::snprintf(buf, sizeof buf, "%040X:3", i * 104729 + 77);
    lines.push_back(buf);
  }
  BuildIndex(dir, {.scheme = SchemeId::kSha1}, Kind::kPassword, lines, "pwned-passwords");
  RunningServer rs(Options(dir));
  auto cli = rs.client();
  auto res = cli.Get("/range/21bd1");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "text/plain");
  std::vector<std::string> got;
  for (size_t pos = 0;;) {
    size_t end = res->body.find("\r\n", pos);
    got.push_back(res->body.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    if (end == std::string::npos) break;
    pos = end + 2;
  }
  std::vector<std::string> want;
  for (int i = 0; i < 200; ++i) want.push_back(lines[static_cast<size_t>(2 * i)].substr(5));
  std::sort(want.begin(), want.end());
  CHECK(got == want);
  CHECK(res->body.back() != '\n');
  CHECK(cli.Get("/range/21BD1")->body == res->body);
  CHECK(cli.Get("/range/21BD1?mode=ntlm")->status == 400);
  CHECK(cli.Get("/range/21BD")->status == 400);
  CHECK(cli.Get("/range/21BDZ")->status == 400);
  auto padded = cli.Get("/range/21BD1", {{"Add-Padding", "true"}});
  REQUIRE(padded);
  const size_t n = static_cast<size_t>(std::count(padded->body.begin(), padded->body.end(), '\n')) + 1;
  CHECK(n >= 800);
  CHECK(n <= 1000);
  CHECK(padded->body.find("\r\n" + want[5] + "\r\n") != std::string::npos);
  CHECK(padded->get_header_value("Vary").find("Add-Padding") != std::string::npos);
  httplib::Client gz("127.0.0.1", rs.server.port());
  gz.set_decompress(false);
  auto zipped = gz.Get("/range/21BD1", {{"Accept-Encoding", "gzip"}});
  CHECK(zipped->get_header_value("Content-Encoding") == "gzip");
  CHECK(zipped->body.size() < res->body.size());
  CHECK(cli.Get("/range/21BD1", {{"Accept-Encoding", "gzip"}})->body == res->body);
  // The JSON API serves the same index too, with counts.
  auto json = cli.Get("/v1/range/password/21bd1");
  RangeResponse r;
  REQUIRE(DecodeRangeJson(json->body, &r).ok());
  CHECK(r.has_counts);
  CHECK(r.entries.size() == 200);
}

TEST_CASE("rate limit and API keys") {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  BuildIndex(dir, {.scheme = SchemeId::kSha256, .prefix_hex = 4}, Kind::kEmail, Emails(10));
  std::ofstream(dir + "/keys") << "helpdesk-key-0123456789 6000\nbulk-key-0123456789abcdef\n";
  ServeOptions o = Options(dir);
  o.rate_per_s = 1;
  o.rate_burst = 3;
  o.api_keys_file = dir + "/keys";
  RunningServer rs(o);
  auto cli = rs.client();
  // An unknown key is refused, and costs the address one request like any other.
  auto unknown = cli.Get("/v1/range/email/0000", {{"Authorization", "Bearer wrong-key-0123456789"}});
  REQUIRE(unknown);
  CHECK(unknown->status == 401);
  CHECK(unknown->get_header_value("WWW-Authenticate") == "Bearer");
  CHECK(unknown->body.find("wrong-key") == std::string::npos);
  for (int i = 0; i < 2; ++i) CHECK(cli.Get("/v1/range/email/0000")->status == 200);
  auto limited = cli.Get("/v1/range/email/0000");
  REQUIRE(limited);
  CHECK(limited->status == 429);
  CHECK(limited->get_header_value("Retry-After") == "1");
  CHECK(nlohmann::json::parse(limited->body)["reason"] == "rate.limited");
  CHECK(cli.Get("/healthz")->status == 200);  // never limited
  for (int i = 0; i < 20; ++i) {
    CHECK(cli.Get("/v1/range/email/0000", {{"Authorization", "Bearer helpdesk-key-0123456789"}})->status == 200);
    CHECK(cli.Get("/v1/range/email/0000", {{"Authorization", "Bearer bulk-key-0123456789abcdef"}})->status == 200);
  }
  // Guessing keys with an exhausted address budget: 429, the guess is not even looked at.
  auto guess = cli.Get("/v1/range/email/0000", {{"Authorization", "Bearer wrong-key-0123456789"}});
  REQUIRE(guess);
  CHECK(guess->status == 429);
}

TEST_CASE("index update: the server switches to the new generation, the old one answers meanwhile") {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  BuildIndex(dir, {.scheme = SchemeId::kSha256, .prefix_hex = 4}, Kind::kEmail, Emails(500));
  RunningServer rs(Options(dir));
  auto cli = rs.client();
  const uint64_t before = rs.server.state().current()->generation();
  auto [prefix, suffix] = EmailTag("late@example.org", TagLayout{4, 16});
  RangeResponse r;
  REQUIRE(DecodeRangeJson(cli.Get("/v1/range/email/" + prefix)->body, &r).ok());
  CHECK(r.Find(suffix) == nullptr);
  CHECK(rs.server.state().live_snapshots() == 1);
  // Held like a request in flight would: the old state must stay alive, and be counted, until released.
  auto held = rs.server.state().current();
  BuildIndex(dir, {.scheme = SchemeId::kSha256, .prefix_hex = 4}, Kind::kEmail, {"late@example.org"}, "later-leak");
  // BuildIndex commits twice (define, then add): the server may first pick up the define alone, so wait
  // for the generation of the finished update.
  uint64_t target = 0;
  {
    auto index = Index::Open(dir + "/index", Index::Mode::kReadOnly);
    INFO(index.status().ToString());
    REQUIRE(index.ok());
    target = (*index)->meta().generation;
  }
  REQUIRE(target > before);
  for (int i = 0; i < 500 && rs.server.state().current()->generation() < target; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(rs.server.state().current()->generation() == target);
  REQUIRE(DecodeRangeJson(cli.Get("/v1/range/email/" + prefix)->body, &r).ok());
  const RangeEntry* e = r.Find(suffix);
  REQUIRE(e);
  CHECK(r.breaches[e->breaches[0]] == "later-leak");
  CHECK(r.breaches.size() == 2);
  CHECK(rs.server.state().live_snapshots() >= 2);
  CHECK(rs.admin_client().Get("/metrics")->body.find("vigie_index_states_alive 1\n") == std::string::npos);
  held.reset();
  CHECK(rs.server.state().live_snapshots() == 1);
  const std::string metrics = rs.admin_client().Get("/metrics")->body;
  CHECK(metrics.find("vigie_index_states_alive 1\n") != std::string::npos);
  CHECK(metrics.find("vigie_rocksdb_table_files 0\n") == std::string::npos);
  CHECK(metrics.find("vigie_rocksdb_table_files ") != std::string::npos);
}

TEST_CASE("the citizen page: embedded files, security headers, /v1/index") {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  BuildIndex(dir, {.scheme = SchemeId::kSha256, .prefix_hex = 5}, Kind::kEmail, Emails(10));
  RunningServer rs(Options(dir));
  auto cli = rs.client();

  auto page = cli.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->get_header_value("Content-Type") == "text/html; charset=utf-8");
  CHECK(page->body.find("<script type=\"module\" src=\"static/app.js\">") != std::string::npos);
  const std::string csp = page->get_header_value("Content-Security-Policy");
  CHECK(csp.find("default-src 'none'") != std::string::npos);
  CHECK(csp.find("script-src 'self';") != std::string::npos);
  CHECK(csp.find("unsafe") == std::string::npos);
  CHECK(csp.find("form-action 'none'") != std::string::npos);
  CHECK(page->get_header_value("X-Content-Type-Options") == "nosniff");
  CHECK(page->get_header_value("Referrer-Policy") == "no-referrer");
  CHECK(page->get_header_value("Cache-Control") == "no-cache");
  CHECK(page->get_header_value_count("Cache-Control") == 1);
  CHECK(page->get_header_value("Set-Cookie").empty());
  const std::string etag = page->get_header_value("ETag");
  CHECK(etag == BodyEtag(page->body));
  CHECK(cli.Get("/", {{"If-None-Match", etag}})->status == 304);

  // Every embedded file is served under /static/ with its type and the same headers; gzip when accepted.
  size_t scripts = 0;
  for (const auto& [name, type] : {std::pair{"app.js", "text/javascript; charset=utf-8"},
                                   std::pair{"normalize.js", "text/javascript; charset=utf-8"},
                                   std::pair{"style.css", "text/css; charset=utf-8"}}) {
    CAPTURE(name);
    auto file = cli.Get(std::string("/static/") + name);
    REQUIRE(file);
    CHECK(file->status == 200);
    CHECK(file->get_header_value("Content-Type") == type);
    CHECK(file->get_header_value("X-Content-Type-Options") == "nosniff");
    CHECK(!file->get_header_value("Content-Security-Policy").empty());
    scripts += file->body.size();
  }
  CHECK(scripts > 1000);
  httplib::Client gz("127.0.0.1", rs.server.port());
  gz.set_decompress(false);
  auto zipped = gz.Get("/static/app.js", {{"Accept-Encoding", "gzip"}});
  REQUIRE(zipped);
  CHECK(zipped->get_header_value("Content-Encoding") == "gzip");
  CHECK(zipped->get_header_value("Cache-Control") == "no-cache");
  auto head = cli.Head("/");
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->body.empty());

  auto info = cli.Get("/v1/index");
  REQUIRE(info);
  CHECK(info->status == 200);
  CHECK(info->body ==
        "{\"v\":1,\"scheme\":\"sha256\",\"prefix_hex\":5,\"suffix_hex\":16,\"kinds\":[\"nir\",\"email\","
        "\"phone\"],\"padded\":false}");
  CHECK(info->get_header_value("ETag") == BodyEtag(info->body));
  CHECK(info->get_header_value("Access-Control-Allow-Origin") == "*");
}

TEST_CASE("the OpenAPI document lists exactly the server's routes") {
  auto doc = nlohmann::json::parse(OpenApiJson());
  CHECK(doc["openapi"].get<std::string>().rfind("3.", 0) == 0);
  std::set<std::string> documented, served;
  for (auto& [path, item] : doc["paths"].items()) {
    documented.insert(path);
    CHECK((item.contains("get") || item.contains("post")));
  }
  for (const RouteTemplate& t : RouteTemplates()) served.insert(std::string(t.path));
  CHECK(documented == served);
  // Every error status the range route produces is documented.
  for (const char* status : {"200", "304", "400", "401", "429"}) {
    CHECK(doc["paths"]["/v1/range/{kind}/{prefix}"]["get"]["responses"].contains(status));
  }
  CHECK(doc["paths"]["/v1/oprf/{kind}/evaluate"].contains("post"));
  for (const char* status : {"200", "400", "401", "404", "413", "415", "429"}) {
    CHECK(doc["paths"]["/v1/oprf/{kind}/evaluate"]["post"]["responses"].contains(status));
  }
}

}  // namespace
}  // namespace vigie::serve
