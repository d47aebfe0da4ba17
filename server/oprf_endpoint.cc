#include "server/oprf_endpoint.h"

#include <nlohmann/json.hpp>

#include "core/codec.h"
#include "core/oprf_key.h"
#include "core/oprf_wire.h"

namespace vigie::serve {

namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int B64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

std::string EncodePoint(const oprf::Element& e, bool base64) {
  return base64 ? Base64Encode(e) : HexEncode(e.data(), e.size());
}

}  // namespace

std::string Base64Encode(std::span<const uint8_t> data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = uint32_t{data[i]} << 16 | uint32_t{data[i + 1]} << 8 | data[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += kB64[(v >> s) & 63];
  }
  if (const size_t rest = data.size() - i; rest > 0) {
    const uint32_t v = uint32_t{data[i]} << 16 | (rest == 2 ? uint32_t{data[i + 1]} << 8 : 0);
    out += kB64[v >> 18 & 63];
    out += kB64[v >> 12 & 63];
    out += rest == 2 ? kB64[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

bool Base64Decode(std::string_view text, std::vector<uint8_t>* out) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return false;
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = B64Value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<uint8_t>(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  return acc == 0;  // non-canonical trailing bits are refused
}

Status ParseOprfJsonRequest(std::string_view body, size_t max_count, OprfJsonRequest* out) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  const auto bad = [](std::string message) { return Status::InvalidArgument("oprf.json", std::move(message)); };
  if (!j.is_object() || !j.contains("elements") || !j["elements"].is_array()) {
    return bad(R"(expected {"elements":["<hex or base64 point>", ...], "verifiable": false})");
  }
  out->verifiable = false;
  if (j.contains("verifiable")) {
    if (!j["verifiable"].is_boolean()) return bad("\"verifiable\" must be true or false");
    out->verifiable = j["verifiable"].get<bool>();
  }
  const auto& elements = j["elements"];
  if (elements.empty() || elements.size() > std::min(max_count, oprf::kMaxWireBatch)) {
    return Status::InvalidArgument("oprf.batch",
                                   "send 1 to " + std::to_string(std::min(max_count, oprf::kMaxWireBatch)) +
                                       " elements per request (got " + std::to_string(elements.size()) + ")");
  }
  out->blinded.resize(elements.size());
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < elements.size(); ++i) {
    const std::string where = "element " + std::to_string(i);
    if (!elements[i].is_string()) return bad(where + " is not a string");
    const std::string& text = elements[i].get_ref<const std::string&>();
    bool base64 = false;
    if (text.size() == 2 * oprf::kElementBytes) {
      bytes.resize(oprf::kElementBytes);
      if (!HexDecode(text, bytes.data())) {
        return Status::InvalidArgument("oprf.point", where + ": not hexadecimal");
      }
    } else if (Base64Decode(text, &bytes) && bytes.size() == oprf::kElementBytes) {
      base64 = true;
    } else {
      return Status::InvalidArgument("oprf.point", where +
                                                       ": expected 66 hex digits or 44 base64 characters "
                                                       "(a 33-byte compressed P-256 point)");
    }
    if (i == 0) out->base64 = base64;
    if (base64 != out->base64) return bad("mixes hex and base64 elements");
    Status s = oprf::ParseElement(bytes, &out->blinded[i]);
    if (!s.ok()) return Status::InvalidArgument("oprf.point", where + ": " + s.message());
  }
  return Status::Ok();
}

std::string OprfJsonResponse(std::span<const oprf::Element> evaluated, const oprf::Proof* proof, bool base64) {
  std::string out = proof ? R"({"mode":"voprf","evaluated":[)" : R"({"mode":"oprf","evaluated":[)";
  for (size_t i = 0; i < evaluated.size(); ++i) {
    if (i) out += ',';
    out += '"' + EncodePoint(evaluated[i], base64) + '"';
  }
  out += "],\"proof\":";
  if (proof) {
    out += '"' + (base64 ? Base64Encode(*proof) : HexEncode(proof->data(), proof->size())) + '"';
  } else {
    out += "null";
  }
  out += '}';
  return out;
}

Status EvaluateBlinded(const oprf::OprfKey& key, std::span<const oprf::Element> blinded, bool verifiable,
                       std::vector<oprf::Element>* evaluated, std::optional<oprf::Proof>* proof) {
  evaluated->resize(blinded.size());
  VIGIE_RETURN_IF_ERROR(oprf::BlindEvaluateBatch(key, blinded, *evaluated));
  proof->reset();
  if (verifiable) {
    auto p = oprf::GenerateProof(key, blinded, *evaluated);
    if (!p.ok()) return p.status();
    *proof = *p;
  }
  return Status::Ok();
}

std::string OprfKeyJson(const oprf::Element& public_key, size_t max_batch, size_t max_batch_anonymous) {
  return R"({"suite":"P256-SHA256","mode":"oprf","public_key":")" + oprf::PublicKeyHex(public_key) +
         R"(","fingerprint":")" + oprf::PublicKeyFingerprint(public_key) + R"(","max_batch":)" +
         std::to_string(max_batch) + R"(,"max_batch_anonymous":)" + std::to_string(max_batch_anonymous) +
         R"(,"verifiable":true})";
}

}  // namespace vigie::serve
