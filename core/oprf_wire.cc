#include "core/oprf_wire.h"

#include <algorithm>
#include <cstring>

namespace vigie::oprf {
namespace {

Status WireError(std::string message) { return Status::InvalidArgument("oprf.wire", std::move(message)); }

void PutElements(std::string* out, std::span<const Element> elements) {
  const size_t n = elements.size();
  out->push_back(static_cast<char>((n >> 8) & 0xff));
  out->push_back(static_cast<char>(n & 0xff));
  for (const Element& e : elements) out->append(reinterpret_cast<const char*>(e.data()), e.size());
}

// Reads the count and the elements from the front of *body.
Status GetElements(std::string_view* body, size_t max_count, std::vector<Element>* out) {
  if (body->size() < 2) return WireError("the body is shorter than its 2-byte element count");
  const size_t n = (static_cast<uint8_t>((*body)[0]) << 8) | static_cast<uint8_t>((*body)[1]);
  body->remove_prefix(2);
  if (n == 0) return Status::InvalidArgument("oprf.batch", "the element count is zero");
  if (n > max_count) {
    return Status::InvalidArgument("oprf.batch", "the batch has " + std::to_string(n) +
                                                     " elements, more than the limit of " + std::to_string(max_count));
  }
  if (body->size() < n * kElementBytes) {
    return WireError("the body holds fewer than the " + std::to_string(n) + " announced elements");
  }
  out->clear();
  out->resize(n);
  for (size_t i = 0; i < n; ++i) {
    const auto* p = reinterpret_cast<const uint8_t*>(body->data()) + i * kElementBytes;
    VIGIE_RETURN_IF_ERROR(ParseElement({p, kElementBytes}, &(*out)[i]).WithContext("element " + std::to_string(i)));
  }
  body->remove_prefix(n * kElementBytes);
  return Status::Ok();
}

}  // namespace

std::string EncodeEvaluationRequest(std::span<const Element> blinded) {
  std::string out;
  out.reserve(2 + blinded.size() * kElementBytes);
  PutElements(&out, blinded);
  return out;
}

Status DecodeEvaluationRequest(std::string_view body, size_t max_count, std::vector<Element>* blinded) {
  VIGIE_RETURN_IF_ERROR(GetElements(&body, std::min(max_count, kMaxWireBatch), blinded));
  if (!body.empty()) return WireError("trailing bytes after the announced elements");
  return Status::Ok();
}

std::string EncodeEvaluationResponse(Mode mode, std::span<const Element> evaluated, const Proof* proof) {
  std::string out;
  out.reserve(2 + evaluated.size() * kElementBytes + 1 + kProofBytes);
  PutElements(&out, evaluated);
  out.push_back(static_cast<char>(mode));
  if (mode == Mode::kVoprf && proof) out.append(reinterpret_cast<const char*>(proof->data()), proof->size());
  return out;
}

Status DecodeEvaluationResponse(std::string_view body, EvaluationResponse* out) {
  VIGIE_RETURN_IF_ERROR(GetElements(&body, kMaxWireBatch, &out->evaluated));
  if (body.empty()) return WireError("the mode byte is missing");
  const uint8_t mode = static_cast<uint8_t>(body[0]);
  body.remove_prefix(1);
  out->proof.reset();
  if (mode == static_cast<uint8_t>(Mode::kOprf)) {
    out->mode = Mode::kOprf;
    if (!body.empty()) return WireError("trailing bytes after an OPRF-mode response");
    return Status::Ok();
  }
  if (mode != static_cast<uint8_t>(Mode::kVoprf)) return WireError("unknown mode byte " + std::to_string(mode));
  out->mode = Mode::kVoprf;
  if (body.size() != kProofBytes) return WireError("a VOPRF-mode response ends with a 64-byte proof");
  Proof p;
  std::memcpy(p.data(), body.data(), kProofBytes);
  out->proof = p;
  return Status::Ok();
}

}  // namespace vigie::oprf
