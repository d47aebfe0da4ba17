#include "core/index_scheme.h"

#include "core/oprf_key.h"
#include "core/oprf_scheme.h"

namespace vigie {

Result<std::unique_ptr<Scheme>> OpenIndexScheme(const IndexMeta& meta, const std::string& key_path) {
  if (meta.scheme != SchemeId::kOprfP256) return MakeUnkeyedScheme(meta.scheme);
  const std::string path = key_path.empty() ? meta.oprf_key_path : key_path;
  if (path.empty()) {
    return Status::FailedPrecondition("this oprf-p256 index records no key file: give --key FILE", "index.key");
  }
  auto scheme = OprfScheme::FromKeyFile(path);
  if (!scheme.ok()) return scheme.status().WithContext("loading the OPRF key " + path);
  const std::string fingerprint = oprf::PublicKeyFingerprint((*scheme)->key().public_key());
  if (fingerprint != meta.oprf_key_fingerprint) {
    return Status::FailedPrecondition("the key in " + path + " (fingerprint " + fingerprint +
                                          ") is not this index's key (fingerprint " + meta.oprf_key_fingerprint + ")",
                                      "index.key-mismatch");
  }
  return std::unique_ptr<Scheme>(std::move(*scheme));
}

}  // namespace vigie
