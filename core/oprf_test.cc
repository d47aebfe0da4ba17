#include "core/oprf.h"

#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/kv_vectors.h"

namespace vigie::oprf {
namespace {

std::string ToHex(const uint8_t* d, size_t n) {
  static const char* k = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s.push_back(k[d[i] >> 4]);
    s.push_back(k[d[i] & 15]);
  }
  return s;
}
template <size_t N>
std::string ToHex(const std::array<uint8_t, N>& a) {
  return ToHex(a.data(), N);
}
std::string FromHex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}
template <size_t N>
std::array<uint8_t, N> Arr(const std::string& hex) {
  std::string b = FromHex(hex);
  REQUIRE(b.size() == N);
  std::array<uint8_t, N> a;
  std::memcpy(a.data(), b.data(), N);
  return a;
}
std::span<const uint8_t> Bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(item);
  return out;
}

std::vector<testing::KvRecord> Vectors() {
  std::string error;
  auto recs = testing::ReadKvVectors(VIGIE_SOURCE_DIR "/tests/vectors/rfc9497-p256.txt", "Input",
                                     {"Seed", "KeyInfo", "skSm", "pkSm"}, &error);
  REQUIRE_MESSAGE(error.empty(), error);
  return recs;
}

TEST_CASE("RFC 9497 A.3: DeriveKeyPair gives skSm (and pkSm) in both modes") {
  auto recs = Vectors();
  REQUIRE(recs.size() == 5);
  for (const auto& r : recs) {
    const Mode mode = r.globals.count("pkSm") ? Mode::kVoprf : Mode::kOprf;
    auto key = OprfKey::Derive(mode, Bytes(FromHex(r.Get("Seed"))), Bytes(FromHex(r.Get("KeyInfo"))));
    REQUIRE(key.ok());
    CHECK(ToHex(key->secret()) == r.Get("skSm"));
    if (mode == Mode::kVoprf) CHECK(ToHex(key->public_key()) == r.Get("pkSm"));
  }
}

TEST_CASE("RFC 9497 A.3.1/A.3.2: every OPRF and VOPRF vector, batch proofs included") {
  int oprf = 0, voprf = 0;
  for (const auto& r : Vectors()) {
    INFO("vector at line " << r.line);
    const Mode mode = r.globals.count("pkSm") ? Mode::kVoprf : Mode::kOprf;
    auto key = OprfKey::FromScalar(Arr<32>(r.Get("skSm")));
    REQUIRE(key.ok());
    const auto inputs = Split(r.Get("Input"));
    const auto blinds = Split(r.Get("Blind"));
    const auto blinded_hex = Split(r.Get("BlindedElement"));
    const auto evaluated_hex = Split(r.Get("EvaluationElement"));
    const auto outputs = Split(r.Get("Output"));
    REQUIRE(inputs.size() == blinds.size());
    std::vector<Element> blinded, evaluated;
    std::vector<std::string> raw_inputs;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const std::string input = FromHex(inputs[i]);
      raw_inputs.push_back(input);
      auto b = BlindWith(mode, input, Arr<32>(blinds[i]));
      REQUIRE(b.ok());
      CHECK(ToHex(b->element) == blinded_hex[i]);
      auto e = BlindEvaluate(*key, b->element);
      REQUIRE(e.ok());
      CHECK(ToHex(*e) == evaluated_hex[i]);
      blinded.push_back(b->element);
      evaluated.push_back(*e);
      auto out = Finalize(input, b->blind, *e);
      REQUIRE(out.ok());
      CHECK(ToHex(*out) == outputs[i]);
      auto direct = Evaluate(mode, *key, input);
      REQUIRE(direct.ok());
      CHECK(ToHex(*direct) == outputs[i]);
    }
    if (mode == Mode::kOprf) {
      std::vector<std::string_view> views(raw_inputs.begin(), raw_inputs.end());
      std::vector<uint8_t> batch(views.size() * 32);
      REQUIRE(EvaluateBatch(*key, views, batch.data()).ok());
      for (size_t i = 0; i < views.size(); ++i) CHECK(ToHex(batch.data() + 32 * i, 32) == outputs[i]);
      ++oprf;
    } else {
      const Scalar r_scalar = Arr<32>(r.Get("ProofRandomScalar"));
      auto proof = GenerateProof(*key, blinded, evaluated, &r_scalar);
      REQUIRE(proof.ok());
      CHECK(ToHex(*proof) == r.Get("Proof"));
      CHECK(VerifyProof(key->public_key(), blinded, evaluated, *proof).ok());
      // Every single-bit change of the proof is refused.
      for (size_t bit = 0; bit < kProofBytes * 8; bit += 37) {
        Proof bad = *proof;
        bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
        CHECK_FALSE(VerifyProof(key->public_key(), blinded, evaluated, bad).ok());
      }
      // A random proof verifies too.
      auto fresh = GenerateProof(*key, blinded, evaluated);
      REQUIRE(fresh.ok());
      CHECK(*fresh != *proof);
      CHECK(VerifyProof(key->public_key(), blinded, evaluated, *fresh).ok());
      ++voprf;
    }
  }
  CHECK(oprf == 2);
  CHECK(voprf == 3);
}

TEST_CASE("VOPRF proofs: wrong key, swapped elements and bad batches are refused") {
  auto key = OprfKey::Generate();
  auto other = OprfKey::Generate();
  REQUIRE(key.ok());
  REQUIRE(other.ok());
  std::vector<Element> blinded, evaluated;
  for (int i = 0; i < 5; ++i) {
    auto b = Blind(Mode::kVoprf, "input " + std::to_string(i));
    REQUIRE(b.ok());
    blinded.push_back(b->element);
    evaluated.push_back(*BlindEvaluate(*key, b->element));
  }
  auto proof = GenerateProof(*key, blinded, evaluated);
  REQUIRE(proof.ok());
  CHECK(VerifyProof(key->public_key(), blinded, evaluated, *proof).ok());
  Status st = VerifyProof(other->public_key(), blinded, evaluated, *proof);
  CHECK(st.reason() == "oprf.proof");
  auto swapped = evaluated;
  std::swap(swapped[1], swapped[2]);
  CHECK(VerifyProof(key->public_key(), blinded, swapped, *proof).reason() == "oprf.proof");
  // A server that evaluates one element with another key cannot prove the batch.
  auto mixed = evaluated;
  mixed[3] = *BlindEvaluate(*other, blinded[3]);
  auto mixed_proof = GenerateProof(*key, blinded, mixed);
  REQUIRE(mixed_proof.ok());
  CHECK(VerifyProof(key->public_key(), blinded, mixed, *mixed_proof).reason() == "oprf.proof");
  CHECK(VerifyProof(key->public_key(), std::span<const Element>(blinded).first(4), evaluated, *proof).reason() ==
        "oprf.batch");
  CHECK(VerifyProof(key->public_key(), {}, {}, *proof).reason() == "oprf.batch");
  CHECK(GenerateProof(*key, {}, {}).status().reason() == "oprf.batch");
  Proof high = *proof;
  std::memset(high.data(), 0xff, 32);
  CHECK(VerifyProof(key->public_key(), blinded, evaluated, high).reason() == "oprf.scalar");
}

TEST_CASE("blind, evaluate, finalize equals Evaluate; EvaluateBatch equals Evaluate at every size") {
  auto key = OprfKey::Generate();
  REQUIRE(key.ok());
  std::mt19937_64 rng(5);
  std::vector<std::string> inputs;
  for (int i = 0; i < 200; ++i) {
    std::string s = "vigie:nir:" + std::to_string(rng() % 1000000000000000ull);
    if (i % 7 == 0) s.assign(rng() % 40, static_cast<char>(rng()));  // arbitrary bytes, empty included
    inputs.push_back(s);
  }
  std::vector<std::string> expected;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto direct = Evaluate(Mode::kOprf, *key, inputs[i]);
    REQUIRE(direct.ok());
    expected.push_back(ToHex(*direct));
    if (i < 40) {
      auto b = Blind(Mode::kOprf, inputs[i]);
      REQUIRE(b.ok());
      auto e = BlindEvaluate(*key, b->element);
      REQUIRE(e.ok());
      auto out = Finalize(inputs[i], b->blind, *e);
      REQUIRE(out.ok());
      CHECK(ToHex(*out) == expected[i]);
    }
  }
  for (size_t n : {0u, 1u, 2u, 63u, 64u, 65u, 129u, 200u}) {
    std::vector<std::string_view> views(inputs.begin(), inputs.begin() + n);
    std::vector<uint8_t> out(n * 32 + 1, 0xaa);
    REQUIRE(EvaluateBatch(*key, views, out.data()).ok());
    for (size_t i = 0; i < n; ++i) CHECK(ToHex(out.data() + 32 * i, 32) == expected[i]);
    CHECK(out[n * 32] == 0xaa);
  }
  // Different keys, different outputs; VOPRF mode hashes with another DST.
  auto other = OprfKey::Generate();
  CHECK(ToHex(*Evaluate(Mode::kOprf, *other, inputs[1])) != expected[1]);
  CHECK(ToHex(*Evaluate(Mode::kVoprf, *key, inputs[1])) != expected[1]);
}

TEST_CASE("a shared key evaluates concurrently") {
  auto key = OprfKey::Generate();
  REQUIRE(key.ok());
  std::vector<std::string> inputs;
  for (int i = 0; i < 300; ++i) inputs.push_back("vigie:email:user" + std::to_string(i) + "@example.org");
  std::vector<std::string_view> views(inputs.begin(), inputs.end());
  std::vector<uint8_t> want(inputs.size() * 32), a(want.size()), b(want.size());
  REQUIRE(EvaluateBatch(*key, views, want.data()).ok());
  std::thread t1([&] { (void)EvaluateBatch(*key, views, a.data()); });
  std::thread t2([&] {
    for (size_t i = 0; i < views.size(); ++i)
      std::memcpy(b.data() + 32 * i, Evaluate(Mode::kOprf, *key, views[i])->data(), 32);
  });
  t1.join();
  t2.join();
  CHECK(a == want);
  CHECK(b == want);
}

// An x in [0, p) with x^3 - 3x + b not a square, found by testing ParseElement itself on 02||x candidates
// and cross-checked: the 03 form must fail identically.
TEST_CASE("ParseElement refuses every malformed class") {
  auto key = OprfKey::Generate();
  REQUIRE(key.ok());
  const Element good = key->public_key();
  Element out;
  REQUIRE(ParseElement(good, &out).ok());
  CHECK(out == good);

  struct Case {
    std::string name;
    std::string bytes;
  };
  std::string g(reinterpret_cast<const char*>(good.data()), good.size());
  std::string uncompressed = "\x04" + g.substr(1) + std::string(32, '\x01');
  std::vector<Case> cases = {
      {"empty", ""},
      {"lone 00 (OpenSSL's encoding of infinity)", std::string(1, '\0')},
      {"32 bytes", g.substr(0, 32)},
      {"34 bytes", g + "x"},
      {"65-byte uncompressed form", uncompressed},
      {"prefix 00", std::string(1, '\0') + g.substr(1)},
      {"prefix 01", "\x01" + g.substr(1)},
      {"prefix 04", "\x04" + g.substr(1)},
      {"prefix 05", "\x05" + g.substr(1)},
      {"prefix ff", "\xff" + g.substr(1)},
      {"x = p", "\x02" + FromHex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff")},
      {"x = 2^256 - 1", "\x03" + std::string(32, '\xff')},
  };
  // Off-curve x: about half of all x; take the first few small ones that fail.
  int off_curve = 0;
  for (int v = 0; v < 64 && off_curve < 4; ++v) {
    std::string x(32, '\0');
    x[31] = static_cast<char>(v);
    if (!ParseElement(Bytes("\x02" + x), &out).ok()) {
      CHECK(ParseElement(Bytes("\x03" + x), &out).reason() == "oprf.point");
      cases.push_back({"off-curve x = " + std::to_string(v), "\x02" + x});
      ++off_curve;
    }
  }
  CHECK(off_curve == 4);
  for (const auto& c : cases) {
    INFO(c.name);
    Status st = ParseElement(Bytes(c.bytes), &out);
    CHECK(st.reason() == "oprf.point");
    if (c.bytes.size() == kElementBytes) {
      Element e;
      std::memcpy(e.data(), c.bytes.data(), kElementBytes);
      CHECK(BlindEvaluate(*key, e).status().reason() == "oprf.point");
      Scalar one{};
      one[31] = 1;
      CHECK(Finalize("x", one, e).status().reason() == "oprf.point");
    }
  }
  // Both parities of a valid x decode, to the two opposite points.
  Element flipped = good;
  flipped[0] ^= 1;
  REQUIRE(ParseElement(flipped, &out).ok());
  CHECK(ToHex(*BlindEvaluate(*key, flipped)) != ToHex(*BlindEvaluate(*key, good)));
}

TEST_CASE("scalars: zero, the order and above, wrong lengths are refused") {
  const std::string n = FromHex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  std::string n_minus_1 = n, n_plus_1 = n;
  n_minus_1[31] = static_cast<char>(n_minus_1[31] - 1);
  n_plus_1[31] = static_cast<char>(n_plus_1[31] + 1);
  Scalar s;
  REQUIRE(ParseScalar(Bytes(n_minus_1), &s).ok());
  REQUIRE(OprfKey::FromScalar(s).ok());
  for (const std::string& bad : {std::string(32, '\0'), n, n_plus_1, std::string(32, '\xff'), std::string(31, '\x01'),
                                 std::string(33, '\x01'), std::string()}) {
    INFO(ToHex(Bytes(bad).data(), bad.size()));
    CHECK(ParseScalar(Bytes(bad), &s).reason() == "oprf.scalar");
    if (bad.size() == 32) {
      Scalar raw;
      std::memcpy(raw.data(), bad.data(), 32);
      CHECK(OprfKey::FromScalar(raw).status().reason() == "oprf.scalar");
      CHECK(BlindWith(Mode::kOprf, "x", raw).status().reason() == "oprf.scalar");
    }
  }
  auto key = OprfKey::Generate();
  CHECK(Evaluate(Mode::kOprf, *key, std::string(65536, 'a')).status().reason() == "oprf.input");
}

TEST_CASE("HashToGroup and HashToScalar use the mode's DST") {
  auto a = HashToGroup(Mode::kOprf, "abc");
  auto b = HashToGroup(Mode::kVoprf, "abc");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a != *b);
  Element parsed;
  CHECK(ParseElement(*a, &parsed).ok());
  CHECK(*HashToScalar(Mode::kOprf, "abc") != *HashToScalar(Mode::kVoprf, "abc"));
  CHECK(ContextString(Mode::kVoprf) == std::string("OPRFV1-\x01-P256-SHA256", 20));
}

}  // namespace
}  // namespace vigie::oprf
