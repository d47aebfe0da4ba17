// The OPRF routes of vigie-serve on real oprf-p256 indexes: a client-side Blind/Finalize through the
// server gives OprfScheme's tag (binary and JSON forms, VOPRF proofs), malformed bodies are 400s, batch
// limits, the per-element rate limit (429 + Retry-After) and API keys, keys refused at start, and the
// routes on an unkeyed index.
#include <doctest/doctest.h>
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/index_scheme.h"
#include "core/indexer.h"
#include "core/oprf_key.h"
#include "core/oprf_scheme.h"
#include "core/oprf_wire.h"
#include "server/oprf_endpoint.h"
#include "server/running_server_test_util.h"
#include "server/server.h"
#include "tests/test_index.h"

namespace vigie::serve {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Emails(int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back("user" + std::to_string(i) + "@example.org");
  return v;
}

// dir/server.key and an oprf-p256 index dir/index (prefix 4) holding `emails`.
void BuildOprfIndex(const std::string& dir, const std::vector<std::string>& emails) {
  REQUIRE(oprf::WriteNewKeyFile(dir + "/server.key").ok());
  const std::string index_dir = dir + "/index";
  REQUIRE(
      Index::Create(index_dir, {.scheme = SchemeId::kOprfP256, .prefix_hex = 4, .oprf_key_path = dir + "/server.key"})
          .ok());
  auto index = Index::Open(index_dir, Index::Mode::kReadWrite);
  REQUIRE(index.ok());
  bool created = false;
  REQUIRE((*index)
              ->DefineBreach({.name = "acme-2024",
                              .title = "Acme",
                              .breach_date = "2024-02-01",
                              .description = "test",
                              .data_classes = {"e-mails"}},
                             &created)
              .ok());
  std::ofstream(dir + "/emails.txt") << [&] {
    std::string s;
    for (const auto& e : emails) s += e + "\n";
    return s;
  }();
  auto scheme = OpenIndexScheme((*index)->meta());
  REQUIRE(scheme.ok());
  AddOptions add;
  add.breach = "acme-2024";
  add.input_path = dir + "/emails.txt";
  add.columns = {{Kind::kEmail, ""}};
  add.input.format = InputFormat::kLines;
  add.threads = 1;
  REQUIRE(AddDump(index->get(), **scheme, add).ok());
}

ServeOptions Options(const std::string& dir) {
  ServeOptions o;
  o.index_dir = dir + "/index";
  o.listen = "127.0.0.1:0";
  o.admin_listen = "127.0.0.1:0";
  o.threads = 4;
  o.access_log = false;
  o.rate_per_s = 0;
  o.oprf_rate_per_min = 0;
  o.reload_check_s = 0.05;
  return o;
}

std::string Input(const std::string& email) { return TagInput(Kind::kEmail, email); }

// The tag the index holds for `email` (the key file's OprfScheme).
std::string ServerTagHex(const std::string& dir, const std::string& email) {
  auto scheme = OprfScheme::FromKeyFile(dir + "/server.key");
  REQUIRE(scheme.ok());
  uint8_t tag[32];
  REQUIRE((*scheme)->ComputeTag(Kind::kEmail, email, tag).ok());
  return HexEncode(tag, 32);
}

struct Blinds {
  std::vector<oprf::Blinded> b;
  std::vector<oprf::Element> elements() const {
    std::vector<oprf::Element> e;
    for (const auto& x : b) e.push_back(x.element);
    return e;
  }
};
Blinds BlindAll(const std::vector<std::string>& emails) {
  Blinds out;
  for (const auto& e : emails) {
    auto b = oprf::Blind(oprf::Mode::kOprf, Input(e));
    REQUIRE(b.ok());
    out.b.push_back(*b);
  }
  return out;
}

TEST_CASE("OPRF evaluate: binary and JSON round trips give the index's tags; the tag finds the bucket") {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  const auto emails = Emails(300);
  BuildOprfIndex(dir, emails);
  RunningServer rs(Options(dir));
  auto cli = rs.client();

  auto key = cli.Get("/v1/oprf/key");
  REQUIRE(key);
  CHECK(key->status == 200);
  auto kj = nlohmann::json::parse(key->body);
  CHECK(kj["suite"] == "P256-SHA256");
  CHECK(kj["max_batch"] == 1024);
  auto loaded = oprf::LoadKeyFile(dir + "/server.key");
  REQUIRE(loaded.ok());
  CHECK(kj["public_key"] == oprf::PublicKeyHex(loaded->public_key()));
  CHECK(kj["fingerprint"] == oprf::PublicKeyFingerprint(loaded->public_key()));
  auto info = nlohmann::json::parse(cli.Get("/v1/index")->body);
  CHECK(info["scheme"] == "oprf-p256");
  CHECK(info["oprf"]["fingerprint"] == kj["fingerprint"]);

  // Binary: three present e-mails and one absent.
  const std::vector<std::string> asked = {"user7@example.org", "user0@example.org", "user299@example.org",
                                          "nobody@example.org"};
  Blinds blinds = BlindAll(asked);
  const auto elements = blinds.elements();
  auto res = cli.Post("/v1/oprf/email/evaluate", oprf::EncodeEvaluationRequest(elements), "application/octet-stream");
  REQUIRE(res);
  REQUIRE_MESSAGE(res->status == 200, res->body);
  CHECK(res->get_header_value("Cache-Control") == "no-store");
  CHECK(res->get_header_value("Content-Type") == "application/octet-stream");
  oprf::EvaluationResponse decoded;
  REQUIRE(oprf::DecodeEvaluationResponse(res->body, &decoded).ok());
  CHECK(decoded.mode == oprf::Mode::kOprf);
  REQUIRE(decoded.evaluated.size() == asked.size());
  for (size_t i = 0; i < asked.size(); ++i) {
    CAPTURE(asked[i]);
    auto out = oprf::Finalize(Input(asked[i]), blinds.b[i].blind, decoded.evaluated[i]);
    REQUIRE(out.ok());
    const std::string tag = HexEncode(out->data(), out->size());
    CHECK(tag == ServerTagHex(dir, asked[i]));
    RangeResponse bucket;
    REQUIRE(DecodeRangeJson(cli.Get("/v1/range/email/" + tag.substr(0, 4))->body, &bucket).ok());
    CHECK((bucket.Find(tag.substr(4, 16)) != nullptr) == (i < 3));
  }

  // Verifiable: a DLEQ proof over exactly these elements, for the published key.
  res = cli.Post("/v1/oprf/email/evaluate?verifiable=1", oprf::EncodeEvaluationRequest(elements),
                 "application/octet-stream");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  REQUIRE(oprf::DecodeEvaluationResponse(res->body, &decoded).ok());
  CHECK(decoded.mode == oprf::Mode::kVoprf);
  REQUIRE(decoded.proof.has_value());
  CHECK(oprf::VerifyProof(loaded->public_key(), elements, decoded.evaluated, *decoded.proof).ok());
  auto other = oprf::OprfKey::Generate();
  REQUIRE(other.ok());
  CHECK_FALSE(oprf::VerifyProof(other->public_key(), elements, decoded.evaluated, *decoded.proof).ok());

  // JSON, hex and base64: the same points in the request's encoding.
  for (bool base64 : {false, true}) {
    CAPTURE(base64);
    nlohmann::json req = {{"elements", nlohmann::json::array()}, {"verifiable", base64}};
    for (const auto& e : elements) req["elements"].push_back(base64 ? Base64Encode(e) : HexEncode(e.data(), e.size()));
    auto jr = cli.Post("/v1/oprf/email/evaluate", req.dump(), "application/json");
    REQUIRE(jr);
    REQUIRE_MESSAGE(jr->status == 200, jr->body);
    auto j = nlohmann::json::parse(jr->body);
    CHECK(j["mode"] == (base64 ? "voprf" : "oprf"));
    CHECK(j["proof"].is_null() == !base64);
    REQUIRE(j["evaluated"].size() == asked.size());
    for (size_t i = 0; i < asked.size(); ++i) {
      std::vector<uint8_t> bytes(33);
      const std::string text = j["evaluated"][i].get<std::string>();
      if (base64) {
        REQUIRE(Base64Decode(text, &bytes));
      } else {
        REQUIRE(HexDecode(text, bytes.data()));
      }
      oprf::Element ev;
      REQUIRE(oprf::ParseElement(bytes, &ev).ok());
      auto out = oprf::Finalize(Input(asked[i]), blinds.b[i].blind, ev);
      REQUIRE(out.ok());
      CHECK(HexEncode(out->data(), out->size()) == ServerTagHex(dir, asked[i]));
    }
  }
  CHECK(rs.server.metrics().oprf_evaluations() == 4 * asked.size());
}

TEST_CASE("OPRF evaluate: malformed requests are 400s with a reason, never a crash; batch limits") {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  BuildOprfIndex(dir, Emails(10));
  ServeOptions o = Options(dir);
  o.oprf_max_batch = 8;
  o.oprf_max_batch_anonymous = 4;
  o.api_keys_file = dir + "/keys";
  std::ofstream(o.api_keys_file) << "bulk-key-0123456789abcdef\n";
  RunningServer rs(o);
  auto cli = rs.client();
  Blinds blinds = BlindAll(Emails(9));
  const auto elements = blinds.elements();
  const std::string good = oprf::EncodeEvaluationRequest(std::span(elements).first(2));
  oprf::Element off_curve = elements[0];
  while (oprf::ParseElement(off_curve, &off_curve).ok()) ++off_curve[32];  // about half the x are on the curve
  oprf::Element bad_prefix = elements[0];
  bad_prefix[0] = 0x04;
  std::string json_off = R"({"elements":[")" + HexEncode(off_curve.data(), 33) + R"("]})";

  struct Case {
    std::string name, body, type;
    int status;
    std::string reason;
  } cases[] = {
      {"empty body", "", "application/octet-stream", 400, "oprf.wire"},
      {"count zero", std::string("\0\0", 2), "application/octet-stream", 400, "oprf.batch"},
      {"count too high for the body", good.substr(0, good.size() - 1), "application/octet-stream", 400, "oprf.wire"},
      {"trailing byte", good + "x", "application/octet-stream", 400, "oprf.wire"},
      {"off-curve point", oprf::EncodeEvaluationRequest(std::span(&off_curve, 1)), "application/octet-stream", 400,
       "oprf.point"},
      {"uncompressed prefix", oprf::EncodeEvaluationRequest(std::span(&bad_prefix, 1)), "application/octet-stream", 400,
       "oprf.point"},
      {"identity (lone 00)", std::string("\0\1\0", 3), "application/octet-stream", 400, "oprf.wire"},
      {"anonymous batch over 4", oprf::EncodeEvaluationRequest(std::span(elements).first(5)),
       "application/octet-stream", 400, "oprf.batch"},
      {"not JSON", "{", "application/json", 400, "oprf.json"},
      {"no elements", R"({"x":1})", "application/json", 400, "oprf.json"},
      {"element not a string", R"({"elements":[1]})", "application/json", 400, "oprf.json"},
      {"bad hex", R"({"elements":[")" + std::string(66, 'z') + R"("]})", "application/json", 400, "oprf.point"},
      {"off-curve JSON", json_off, "application/json", 400, "oprf.point"},
      {"verifiable not bool", R"({"elements":[],"verifiable":"yes"})", "application/json", 400, "oprf.json"},
      {"empty JSON batch", R"({"elements":[]})", "application/json", 400, "oprf.batch"},
      {"wrong content type", good, "text/plain", 415, "oprf.content-type"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto r = cli.Post("/v1/oprf/email/evaluate", c.body, c.type.c_str());
    REQUIRE(r);
    CHECK(r->status == c.status);
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    CHECK(j["reason"] == c.reason);
  }
  // The server still answers, and the kind must be one the index serves.
  CHECK(cli.Post("/v1/oprf/email/evaluate", good, "application/octet-stream")->status == 200);
  auto r = cli.Post("/v1/oprf/password/evaluate", good, "application/octet-stream");
  CHECK(r->status == 400);
  CHECK(nlohmann::json::parse(r->body)["reason"] == "oprf.kind");
  CHECK(cli.Get("/v1/oprf/email/evaluate")->status == 405);
  auto pre = cli.Options("/v1/oprf/email/evaluate");
  REQUIRE(pre);
  CHECK(pre->status == 204);
  CHECK(pre->get_header_value("Access-Control-Allow-Methods") == "POST, OPTIONS");
  CHECK(pre->get_header_value("Access-Control-Allow-Headers").find("Content-Type") != std::string::npos);

  // With the API key: up to 8; 9 is refused.
  const httplib::Headers auth = {{"Authorization", "Bearer bulk-key-0123456789abcdef"}};
  CHECK(cli.Post("/v1/oprf/email/evaluate", auth, oprf::EncodeEvaluationRequest(std::span(elements).first(8)),
                 "application/octet-stream")
            ->status == 200);
  r = cli.Post("/v1/oprf/email/evaluate", auth, oprf::EncodeEvaluationRequest(elements), "application/octet-stream");
  CHECK(r->status == 400);
  CHECK(nlohmann::json::parse(r->body)["reason"] == "oprf.batch");
  // A body over the route's limit is refused before it is read.
  r = cli.Post("/v1/oprf/email/evaluate", std::string(100000, 'x'), "application/octet-stream");
  REQUIRE(r);
  CHECK(r->status == 413);
  CHECK(cli.Get("/healthz")->status == 200);
  auto metrics = rs.admin_client().Get("/metrics")->body;
  CHECK(metrics.find("vigie_oprf_refusals_total{reason=\"malformed\"}") != std::string::npos);
  CHECK(rs.server.metrics().oprf_refusals(Metrics::OprfRefusal::kBatch) == 4);
}

TEST_CASE("OPRF evaluate: per-address budget counted in elements, 429 + Retry-After; API keys raise it") {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  BuildOprfIndex(dir, Emails(10));
  ServeOptions o = Options(dir);
  o.oprf_rate_per_min = 30;
  o.oprf_burst = 30;
  o.api_keys_file = dir + "/keys";
  std::ofstream(o.api_keys_file) << "helpdesk-key-0123456789 600 60\nbulk-key-0123456789abcdef\n";
  RunningServer rs(o);
  auto cli = rs.client();
  auto kj = nlohmann::json::parse(cli.Get("/v1/oprf/key")->body);
  CHECK(kj["max_batch_anonymous"] == 16);
  Blinds blinds = BlindAll(Emails(16));
  const auto elements = blinds.elements();
  auto post = [&](size_t n, const httplib::Headers& h = {}) {
    auto r = cli.Post("/v1/oprf/email/evaluate", h, oprf::EncodeEvaluationRequest(std::span(elements).first(n)),
                      "application/octet-stream");
    REQUIRE(r);
    return r;
  };
  CHECK(post(16)->status == 200);
  CHECK(post(14)->status == 200);
  auto limited = post(1);
  CHECK(limited->status == 429);
  CHECK(limited->get_header_value("Retry-After") == "2");  // 30 a minute: one element every 2 s
  CHECK(nlohmann::json::parse(limited->body)["reason"] == "oprf.rate-limited");
  // Range requests have their own, separate budget.
  CHECK(cli.Get("/v1/range/email/0000")->status == 200);
  // A key with no figure is unlimited; a key with 60 evaluations a minute has a burst of one full batch.
  const httplib::Headers bulk = {{"Authorization", "Bearer bulk-key-0123456789abcdef"}};
  for (int i = 0; i < 10; ++i) CHECK(post(16, bulk)->status == 200);
  // 60 evaluations a minute: a bucket of 60, its own (not the address's).
  const httplib::Headers helpdesk = {{"Authorization", "Bearer helpdesk-key-0123456789"}};
  for (int i = 0; i < 3; ++i) CHECK(post(16, helpdesk)->status == 200);
  limited = post(16, helpdesk);
  CHECK(limited->status == 429);
  CHECK(limited->get_header_value("Retry-After") == "4");
  CHECK(rs.server.metrics().oprf_refusals(Metrics::OprfRefusal::kRateLimited) == 2);
  auto metrics = rs.admin_client().Get("/metrics")->body;
  CHECK(metrics.find("vigie_oprf_evaluations_total 238") != std::string::npos);
  CHECK(metrics.find("vigie_oprf_refusals_total{reason=\"rate_limited\"} 2") != std::string::npos);
}

TEST_CASE("vigie-serve refuses a key that is not the index's, or readable by others") {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  BuildOprfIndex(dir, Emails(5));
  REQUIRE(oprf::WriteNewKeyFile(dir + "/other.key").ok());
  ServeOptions o = Options(dir);
  o.oprf_key_file = dir + "/other.key";
  {
    Server server(o);
    Status s = server.Start();
    CHECK(s.reason() == "index.key-mismatch");
    CHECK(s.message().find("not this index's key") != std::string::npos);
  }
  ::chmod((dir + "/server.key").c_str(), 0644);
  o.oprf_key_file = dir + "/server.key";
  {
    Server server(o);
    CHECK(server.Start().reason() == "oprf.key-permissions");
  }
  ::chmod((dir + "/server.key").c_str(), 0600);
  o.oprf_key_file.clear();  // the recorded path
  {
    Server server(o);
    CHECK(server.Start().ok());
    server.Stop();
  }
}

TEST_CASE("OPRF routes on an unkeyed index: 404 with a reason; --key refused") {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  REQUIRE(Index::Create(dir + "/index", {.scheme = SchemeId::kSha256, .prefix_hex = 4}).ok());
  ServeOptions o = Options(dir);
  {
    REQUIRE(oprf::WriteNewKeyFile(dir + "/k.key").ok());
    ServeOptions with_key = o;
    with_key.oprf_key_file = dir + "/k.key";
    Server server(with_key);
    CHECK(server.Start().reason() == "index.key");
  }
  RunningServer rs(o);
  auto cli = rs.client();
  auto r = cli.Post("/v1/oprf/email/evaluate", std::string("\0\0", 2), "application/octet-stream");
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK(nlohmann::json::parse(r->body)["reason"] == "oprf.scheme");
  CHECK(cli.Get("/v1/oprf/key")->status == 404);
  CHECK(cli.Get("/v1/index")->body.find("oprf") == std::string::npos);
}

}  // namespace
}  // namespace vigie::serve
