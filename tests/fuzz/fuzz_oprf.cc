// Fuzz target "oprf": every place the OPRF code takes bytes from outside (core/oprf.h, core/oprf_wire.h,
// core/hash_to_curve.h, and the JSON evaluate body of server/oprf_endpoint.h). Byte 0 picks:
//   0 ParseElement      then BlindEvaluate with a fixed key, and a VOPRF proof that must verify
//   1 ParseScalar       as a blind: Finalize(BlindEvaluate(BlindWith(input, blind))) == Evaluate(input),
//                       and as a key (OprfKey::FromScalar)
//   2 DecodeEvaluationRequest   re-encodes byte for byte; count within the caller's limit
//   3 DecodeEvaluationResponse  re-encodes byte for byte; a proof iff VOPRF mode
//   4 hash to curve     the fast path equals the BIGNUM reference transcription (differential), on any
//                       message and DST; HashToGroup yields a valid element, HashToScalar a scalar < n;
//                       ExpandMessageXmd at any length
//   5 JSON evaluate body (ParseOprfJsonRequest) and Base64Decode: round trips through the encoders
//   6 VerifyProof on arbitrary elements and proof bytes: never accepts a false statement
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/codec.h"
#include "core/hash_to_curve.h"
#include "core/oprf.h"
#include "core/oprf_wire.h"
#include "server/oprf_endpoint.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace oprf = vigie::oprf;
using vigie::Status;

const oprf::OprfKey& Key() {
  static const oprf::OprfKey* key = [] {
    const std::string seed(32, 'Z');
    const std::string info = "vigie-fuzz";
    auto k = oprf::OprfKey::Derive(oprf::Mode::kOprf, {reinterpret_cast<const uint8_t*>(seed.data()), seed.size()},
                                   {reinterpret_cast<const uint8_t*>(info.data()), info.size()});
    FUZZ_CHECK(k.ok(), "key derivation");
    return new oprf::OprfKey(std::move(*k));  // lives as long as the process
  }();
  return *key;
}

std::span<const uint8_t> Bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

void CheckErrorReason(const Status& s) {
  const std::string_view r = s.reason();
  FUZZ_CHECK(s.code() == vigie::Code::kInvalidArgument, "OPRF input errors are InvalidArgument");
  FUZZ_CHECK(r == "oprf.point" || r == "oprf.scalar" || r == "oprf.identity" || r == "oprf.proof" ||
                 r == "oprf.batch" || r == "oprf.wire" || r == "oprf.input" || r == "oprf.json",
             "documented OPRF reason");
}

void FuzzElement(std::string_view rest) {
  oprf::Element e;
  const Status s = oprf::ParseElement(Bytes(rest), &e);
  if (!s.ok()) {
    CheckErrorReason(s);
    return;
  }
  FUZZ_CHECK(rest.size() == oprf::kElementBytes && std::memcmp(e.data(), rest.data(), rest.size()) == 0,
             "an element is its own encoding");
  auto evaluated = oprf::BlindEvaluate(Key(), e);
  FUZZ_CHECK(evaluated.ok(), "a valid element evaluates");
  oprf::Element check;
  FUZZ_CHECK(oprf::ParseElement(*evaluated, &check).ok(), "an evaluation is a valid element");
  const oprf::Element blinded[1] = {e};
  const oprf::Element outputs[1] = {*evaluated};
  auto proof = oprf::GenerateProof(Key(), blinded, outputs);
  FUZZ_CHECK(proof.ok(), "proof generation");
  FUZZ_CHECK(oprf::VerifyProof(Key().public_key(), blinded, outputs, *proof).ok(), "an honest proof verifies");
  // The same proof for the element itself (not multiplied by the key) must fail.
  FUZZ_CHECK(!oprf::VerifyProof(Key().public_key(), blinded, blinded, *proof).ok(), "a wrong statement fails");
}

void FuzzScalar(vigie::fuzz::Cursor& in) {
  const uint8_t mode_byte = in.Byte();
  const std::string_view input = in.Bytes(64);
  const std::string_view rest = in.Rest();
  oprf::Scalar blind;
  const Status s = oprf::ParseScalar(Bytes(rest), &blind);
  if (!s.ok()) {
    CheckErrorReason(s);
    return;
  }
  FUZZ_CHECK(rest.size() == oprf::kScalarBytes && std::memcmp(blind.data(), rest.data(), rest.size()) == 0,
             "a scalar is its own encoding");
  const oprf::Mode mode = (mode_byte & 1) ? oprf::Mode::kVoprf : oprf::Mode::kOprf;
  auto blinded = oprf::BlindWith(mode, input, blind);
  FUZZ_CHECK(blinded.ok(), "blinding with a valid scalar");
  auto evaluated = oprf::BlindEvaluate(Key(), blinded->element);
  FUZZ_CHECK(evaluated.ok(), "evaluating a blinded element");
  auto output = oprf::Finalize(input, blind, *evaluated);
  auto direct = oprf::Evaluate(mode, Key(), input);
  FUZZ_CHECK(output.ok() && direct.ok() && *output == *direct, "blind evaluation equals the PRF");
  auto as_key = oprf::OprfKey::FromScalar(blind);
  FUZZ_CHECK(as_key.ok(), "a valid scalar is a valid key");
  oprf::Element pk;
  FUZZ_CHECK(oprf::ParseElement(as_key->public_key(), &pk).ok(), "a public key is a valid element");
}

void FuzzRequest(vigie::fuzz::Cursor& in) {
  const size_t max_count = in.Byte();
  const std::string_view body = in.Rest();
  std::vector<oprf::Element> blinded;
  const Status s = oprf::DecodeEvaluationRequest(body, max_count, &blinded);
  if (!s.ok()) {
    CheckErrorReason(s);
    return;
  }
  FUZZ_CHECK(!blinded.empty() && blinded.size() <= max_count, "batch within the limit");
  FUZZ_CHECK(oprf::EncodeEvaluationRequest(blinded) == body, "request round trip");
}

void FuzzResponse(std::string_view body) {
  oprf::EvaluationResponse r;
  const Status s = oprf::DecodeEvaluationResponse(body, &r);
  if (!s.ok()) {
    CheckErrorReason(s);
    return;
  }
  FUZZ_CHECK(r.proof.has_value() == (r.mode == oprf::Mode::kVoprf), "a proof iff VOPRF");
  const std::string again = oprf::EncodeEvaluationResponse(r.mode, r.evaluated, r.proof ? &*r.proof : nullptr);
  FUZZ_CHECK(again == body, "response round trip");
}

void FuzzHashToCurve(vigie::fuzz::Cursor& in) {
  const uint8_t options = in.Byte();
  const std::string_view dst = in.Bytes(255);
  const uint16_t len = in.U16();
  const std::string_view msg = in.Rest();
  vigie::h2c::ProjectivePoint p;
  if (!dst.empty()) {  // RFC 9380 requires a non-empty DST
    FUZZ_CHECK(vigie::h2c::HashToCurve(msg, dst, &p), "hash to curve with a short DST");
    uint8_t x[32], y[32], gx[32], gy[32];
    const bool affine = vigie::h2c::ToAffineBytes(p, x, y);
    const bool generic = vigie::h2c::HashToCurveGeneric(msg, dst, gx, gy);
    FUZZ_CHECK(affine == generic, "fast and reference agree on the identity");
    if (affine) {
      FUZZ_CHECK(std::memcmp(x, gx, 32) == 0 && std::memcmp(y, gy, 32) == 0, "fast hash to curve equals the RFC");
      oprf::Element e;
      e[0] = static_cast<uint8_t>(2 | (y[31] & 1));
      std::memcpy(e.data() + 1, x, 32);
      oprf::Element parsed;
      FUZZ_CHECK(oprf::ParseElement(e, &parsed).ok(), "a hashed point is on the curve");
    }
  }
  std::vector<uint8_t> out(len ? len : 1);
  const bool ok = vigie::h2c::ExpandMessageXmd(msg, dst, len, out.data());
  FUZZ_CHECK(ok == (len > 0 && len <= 8160), "ExpandMessageXmd accepts exactly the RFC's lengths");
  if (ok && len > 32) {
    // No hidden state: a second call gives the same bytes.
    std::vector<uint8_t> again(len);
    FUZZ_CHECK(vigie::h2c::ExpandMessageXmd(msg, dst, len, again.data()) && again == out, "deterministic");
  }
  const oprf::Mode mode = (options & 1) ? oprf::Mode::kVoprf : oprf::Mode::kOprf;
  auto element = oprf::HashToGroup(mode, msg);
  if (element.ok()) {
    oprf::Element parsed;
    FUZZ_CHECK(oprf::ParseElement(*element, &parsed).ok(), "HashToGroup yields a valid element");
  }
  auto scalar = oprf::HashToScalar(mode, msg);
  FUZZ_CHECK(scalar.ok(), "HashToScalar takes any input");
  oprf::Scalar parsed;
  FUZZ_CHECK(oprf::ParseScalar(*scalar, &parsed).ok(), "HashToScalar is below the order (and not zero)");
}

std::string Canonical64(std::string_view text) {
  std::string s(text);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  return s;
}

void FuzzJson(vigie::fuzz::Cursor& in) {
  const uint8_t which = in.Byte();
  const std::string_view text = in.Rest();
  if (which & 1) {
    std::vector<uint8_t> bytes;
    if (vigie::serve::Base64Decode(text, &bytes)) {
      FUZZ_CHECK(Canonical64(vigie::serve::Base64Encode(bytes)) == Canonical64(text),
                 "base64 decoding is canonical up to padding and alphabet");
    }
    const std::string encoded = vigie::serve::Base64Encode(Bytes(text));
    FUZZ_CHECK(encoded.size() % 4 == 0, "padded base64");
    FUZZ_CHECK(vigie::serve::Base64Decode(encoded, &bytes) &&
                   std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()) == text,
               "base64 round trip");
    return;
  }
  const size_t max_count = 1 + (which >> 1);
  vigie::serve::OprfJsonRequest request;
  const Status s = vigie::serve::ParseOprfJsonRequest(text, max_count, &request);
  if (!s.ok()) {
    CheckErrorReason(s);
    return;
  }
  FUZZ_CHECK(!request.blinded.empty() && request.blinded.size() <= max_count, "JSON batch within the limit");
  // The request the documented encoder side would send, parsed back: the same elements and flags.
  std::string again = "{\"elements\":[";
  for (size_t i = 0; i < request.blinded.size(); ++i) {
    if (i) again += ',';
    again += '"';
    again += request.base64 ? vigie::serve::Base64Encode(request.blinded[i])
                            : vigie::HexEncode(request.blinded[i].data(), request.blinded[i].size());
    again += '"';
  }
  again += request.verifiable ? "],\"verifiable\":true}" : "]}";
  vigie::serve::OprfJsonRequest request2;
  FUZZ_CHECK(vigie::serve::ParseOprfJsonRequest(again, max_count, &request2).ok(), "JSON request round trip");
  FUZZ_CHECK(request2.blinded == request.blinded && request2.verifiable == request.verifiable &&
                 request2.base64 == request.base64,
             "JSON request fields round trip");
  // The response encoder's output is valid JSON with one element per request element.
  std::vector<oprf::Element> evaluated;
  std::optional<oprf::Proof> proof;
  FUZZ_CHECK(vigie::serve::EvaluateBlinded(Key(), request.blinded, request.verifiable, &evaluated, &proof).ok(),
             "valid elements evaluate");
  FUZZ_CHECK(evaluated.size() == request.blinded.size() && proof.has_value() == request.verifiable,
             "one evaluation per element");
  if (proof) FUZZ_CHECK(oprf::VerifyProof(Key().public_key(), request.blinded, evaluated, *proof).ok(), "proof");
}

void FuzzVerify(vigie::fuzz::Cursor& in) {
  const size_t n = 1 + in.Byte() % 4;
  std::vector<oprf::Element> blinded, evaluated;
  for (size_t i = 0; i < 2 * n; ++i) {
    std::string bytes(in.Bytes(oprf::kElementBytes));
    bytes.resize(oprf::kElementBytes, '\0');
    oprf::Element e;
    if (!oprf::ParseElement(Bytes(bytes), &e).ok()) return;
    (i < n ? blinded : evaluated).push_back(e);
  }
  std::string proof_bytes(in.Rest().substr(0, oprf::kProofBytes));
  proof_bytes.resize(oprf::kProofBytes, '\0');
  oprf::Proof proof;
  std::memcpy(proof.data(), proof_bytes.data(), proof.size());
  const Status s = oprf::VerifyProof(Key().public_key(), blinded, evaluated, proof);
  if (!s.ok()) {
    CheckErrorReason(s);
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    auto truth = oprf::BlindEvaluate(Key(), blinded[i]);
    FUZZ_CHECK(truth.ok() && *truth == evaluated[i], "a verified proof states only the truth");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigie::fuzz::Cursor in(data, size);
  switch (in.Byte() % 7) {
    case 0:
      FuzzElement(in.Rest());
      break;
    case 1:
      FuzzScalar(in);
      break;
    case 2:
      FuzzRequest(in);
      break;
    case 3:
      FuzzResponse(in.Rest());
      break;
    case 4:
      FuzzHashToCurve(in);
      break;
    case 5:
      FuzzJson(in);
      break;
    default:
      FuzzVerify(in);
      break;
  }
  return 0;
}
