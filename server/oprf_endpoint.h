// The OPRF routes' bodies (PRODUCT.md §3-§4, docs/API.md "OPRF"): the JSON form of POST
// /v1/oprf/{kind}/evaluate (the binary form is core/oprf_wire.h), GET /v1/oprf/key, and the evaluation
// itself (BlindEvaluateBatch, plus a batched DLEQ proof in verifiable mode).
//
// JSON request  {"elements":["<66 hex digits or 44 base64/base64url characters>", ...], "verifiable":false}
// JSON response {"mode":"oprf","evaluated":[...],"proof":null}   (mode "voprf" and a proof when verifiable)
// The response encodes points like the request did (hex, or standard base64). Every element is validated
// strictly (oprf::ParseElement). Reasons: "oprf.json" (not the documented shape), "oprf.batch" (empty or
// too many), "oprf.point" (an element, named by its position).
//
// Pure functions; safe from any thread (the key is immutable).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/oprf.h"
#include "core/status.h"

namespace vigie::serve {

struct OprfJsonRequest {
  std::vector<oprf::Element> blinded;
  bool verifiable = false;
  bool base64 = false;  // the elements came as base64: answer in base64
};
Status ParseOprfJsonRequest(std::string_view body, size_t max_count, OprfJsonRequest* out);
std::string OprfJsonResponse(std::span<const oprf::Element> evaluated, const oprf::Proof* proof, bool base64);

// skS * blinded[i] for every element; with `verifiable`, a DLEQ proof (VOPRF context string) that all of
// them used the key whose public half is published.
Status EvaluateBlinded(const oprf::OprfKey& key, std::span<const oprf::Element> blinded, bool verifiable,
                       std::vector<oprf::Element>* evaluated, std::optional<oprf::Proof>* proof);

// GET /v1/oprf/key, compact JSON:
//   {"suite":"P256-SHA256","mode":"oprf","public_key":"<66 hex>","fingerprint":"<16 hex>",
//    "max_batch":1024,"max_batch_anonymous":16,"verifiable":true}
std::string OprfKeyJson(const oprf::Element& public_key, size_t max_batch, size_t max_batch_anonymous);

// Standard base64 (with '=' padding) and a decoder that takes standard or URL-safe, padded or not.
std::string Base64Encode(std::span<const uint8_t> data);
bool Base64Decode(std::string_view text, std::vector<uint8_t>* out);

}  // namespace vigie::serve
