#include "core/oprf_wire.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace vigie::oprf {
namespace {

std::vector<Element> SomeElements(size_t n) {
  std::vector<Element> out;
  for (size_t i = 0; i < n; ++i) out.push_back(*HashToGroup(Mode::kOprf, "wire " + std::to_string(i)));
  return out;
}

TEST_CASE("evaluation request: exact bytes and round trip") {
  auto elems = SomeElements(3);
  std::string body = EncodeEvaluationRequest(elems);
  REQUIRE(body.size() == 2 + 3 * 33);
  CHECK(body[0] == 0);
  CHECK(body[1] == 3);
  CHECK(body.substr(2, 33) == std::string(elems[0].begin(), elems[0].end()));
  std::vector<Element> back;
  REQUIRE(DecodeEvaluationRequest(body, 10, &back).ok());
  CHECK(back == elems);
}

TEST_CASE("evaluation request: malformed bodies are refused with reasons") {
  auto elems = SomeElements(2);
  const std::string good = EncodeEvaluationRequest(elems);
  std::vector<Element> out;
  struct Case {
    const char* name;
    std::string body;
    size_t max;
    const char* reason;
  };
  std::string bad_point = good;
  bad_point[2 + 33] = 0x04;  // second element's prefix
  std::string count_zero = std::string("\0\0", 2);
  const Case cases[] = {
      {"empty", "", 10, "oprf.wire"},
      {"one byte", std::string(1, '\0'), 10, "oprf.wire"},
      {"zero count", count_zero, 10, "oprf.batch"},
      {"over the limit", good, 1, "oprf.batch"},
      {"truncated", good.substr(0, good.size() - 1), 10, "oprf.wire"},
      {"trailing byte", good + "x", 10, "oprf.wire"},
      {"count larger than the body", std::string("\0\3", 2) + good.substr(2), 10, "oprf.wire"},
      {"bad element", bad_point, 10, "oprf.point"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    Status st = DecodeEvaluationRequest(c.body, c.max, &out);
    CHECK(st.reason() == c.reason);
  }
  Status st = DecodeEvaluationRequest(bad_point, 10, &out);
  CHECK(st.message().find("element 1") != std::string::npos);
}

TEST_CASE("evaluation response: both modes round trip, malformed refused") {
  auto elems = SomeElements(4);
  EvaluationResponse r;
  std::string oprf_body = EncodeEvaluationResponse(Mode::kOprf, elems, nullptr);
  CHECK(oprf_body.size() == 2 + 4 * 33 + 1);
  CHECK(oprf_body.back() == 0);
  REQUIRE(DecodeEvaluationResponse(oprf_body, &r).ok());
  CHECK(r.mode == Mode::kOprf);
  CHECK(r.evaluated == elems);
  CHECK_FALSE(r.proof.has_value());

  Proof proof;
  for (size_t i = 0; i < proof.size(); ++i) proof[i] = static_cast<uint8_t>(i);
  std::string voprf_body = EncodeEvaluationResponse(Mode::kVoprf, elems, &proof);
  CHECK(voprf_body.size() == 2 + 4 * 33 + 1 + 64);
  CHECK(voprf_body[2 + 4 * 33] == 1);
  REQUIRE(DecodeEvaluationResponse(voprf_body, &r).ok());
  CHECK(r.mode == Mode::kVoprf);
  REQUIRE(r.proof.has_value());
  CHECK(*r.proof == proof);

  std::string bad_mode = oprf_body;
  bad_mode.back() = 2;
  CHECK(DecodeEvaluationResponse(bad_mode, &r).reason() == "oprf.wire");
  CHECK(DecodeEvaluationResponse(oprf_body.substr(0, oprf_body.size() - 1), &r).reason() == "oprf.wire");
  CHECK(DecodeEvaluationResponse(oprf_body + "x", &r).reason() == "oprf.wire");
  CHECK(DecodeEvaluationResponse(voprf_body.substr(0, voprf_body.size() - 1), &r).reason() == "oprf.wire");
  CHECK(DecodeEvaluationResponse(voprf_body + "x", &r).reason() == "oprf.wire");
}

}  // namespace
}  // namespace vigie::oprf
