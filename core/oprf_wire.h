// Wire format of OPRF evaluations (PRODUCT.md §3), the one common RFC 9497 libraries use:
//   request   u16be count || count x 33-byte compressed points
//   response  u16be count || count x 33-byte points || mode byte (0 OPRF, 1 VOPRF) [|| 64-byte proof if 1]
// Decoders validate every element strictly (oprf::ParseElement) and the exact total length.
// Reasons: "oprf.wire" (length, count, mode byte), "oprf.batch" (empty or over the caller's limit),
// "oprf.point" (an element, with its index in the message).
//
// Pure functions: safe from any thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/oprf.h"
#include "core/status.h"

namespace vigie::oprf {

// At most 65535 elements fit the u16 count.
inline constexpr size_t kMaxWireBatch = 0xffff;

std::string EncodeEvaluationRequest(std::span<const Element> blinded);
// Fails when count is 0 or above max_count (also capped at kMaxWireBatch).
Status DecodeEvaluationRequest(std::string_view body, size_t max_count, std::vector<Element>* blinded);

struct EvaluationResponse {
  Mode mode = Mode::kOprf;
  std::vector<Element> evaluated;
  std::optional<Proof> proof;  // present iff mode == kVoprf
};
// In kVoprf mode `proof` (GenerateProof's result) is appended and must not be null; in kOprf mode it is
// ignored.
std::string EncodeEvaluationResponse(Mode mode, std::span<const Element> evaluated, const Proof* proof);
Status DecodeEvaluationResponse(std::string_view body, EvaluationResponse* out);

}  // namespace vigie::oprf
