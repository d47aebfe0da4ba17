// The oprf-p256 tag scheme (PRODUCT.md §3): tag = RFC 9497 Evaluate(skS, "vigie:{kind}:{canonical}") in
// OPRF mode, 32 bytes; the same value a client obtains through BlindEvaluate + Finalize.
//
// Built from a loaded key (core/oprf_key.h), which it shares. Takes nir, email and phone identifiers.
//
// Thread-safety: ComputeTag and ComputeTags may run concurrently (per-thread scratch; the key is immutable).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/oprf.h"
#include "core/scheme.h"

namespace vigie {

class OprfScheme final : public Scheme {
 public:
  explicit OprfScheme(std::shared_ptr<const oprf::OprfKey> key);
  // Loads the key file (core/oprf_key.h rules) and builds the scheme.
  static Result<std::unique_ptr<OprfScheme>> FromKeyFile(const std::string& path);

  SchemeId id() const override { return SchemeId::kOprfP256; }
  bool AcceptsKind(Kind kind) const override { return kind != Kind::kPassword; }
  Status ComputeTag(Kind kind, std::string_view canonical, uint8_t* tag) const override;
  // One EvaluateBatch over the whole span: shares the two field inversions per input across the batch.
  Status ComputeTags(Kind kind, std::span<const std::string_view> canonical, uint8_t* tags) const override;

  const oprf::OprfKey& key() const { return *key_; }

 private:
  std::shared_ptr<const oprf::OprfKey> key_;
};

}  // namespace vigie
