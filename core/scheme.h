// Tag schemes (PRODUCT.md §3): how a canonical identifier becomes the bytes that are bucketed.
//
// A Scheme is fixed when an index is created and recorded in it. The indexer's pipeline only sees this
// interface, so a keyed scheme (oprf-p256) plugs in without touching the pipeline.
//
// Thread-safety: ComputeTag may be called concurrently from several threads on one Scheme object.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/kind.h"
#include "core/status.h"

namespace vigie {

// Stored in the index metadata: never renumber.
enum class SchemeId : uint8_t {
  kSha256 = 1,
  kSha1 = 2,      // HIBP Pwned Passwords SHA-1 hashes, the tag is the hash itself
  kNtlm = 3,      // HIBP Pwned Passwords NTLM hashes
  kOprfP256 = 4,  // RFC 9497 OPRF, P256-SHA256 (keyed; see the OPRF issue)
};

std::string_view SchemeName(SchemeId id);
std::optional<SchemeId> ParseSchemeName(std::string_view name);
// Tag length in bytes: 32 (sha256, oprf-p256), 20 (sha1), 16 (ntlm).
size_t SchemeTagBytes(SchemeId id);

class Scheme {
 public:
  virtual ~Scheme() = default;

  virtual SchemeId id() const = 0;
  size_t tag_bytes() const { return SchemeTagBytes(id()); }

  // Whether identifiers of `kind` can live in an index of this scheme at all (sha1/ntlm take passwords
  // only; sha256 and oprf take nir/email/phone). Policy (e.g. unkeyed NIRs) is the index's business.
  virtual bool AcceptsKind(Kind kind) const = 0;

  // Writes tag_bytes() bytes for the canonical form of an identifier of `kind` into `tag`.
  virtual Status ComputeTag(Kind kind, std::string_view canonical, uint8_t* tag) const = 0;

  // Tags for many identifiers of one kind: canonical.size() x tag_bytes() bytes into `tags`. The default
  // loops over ComputeTag; keyed schemes override it to share work across the batch (oprf-p256 shares its
  // field inversions). Stops at the first failure.
  virtual Status ComputeTags(Kind kind, std::span<const std::string_view> canonical, uint8_t* tags) const;
};

// Unkeyed schemes. oprf-p256 needs a key and is created elsewhere.
Result<std::unique_ptr<Scheme>> MakeUnkeyedScheme(SchemeId id);

// "vigie:{kind}:{canonical}": the message every hashed scheme tags.
std::string TagInput(Kind kind, std::string_view canonical);

}  // namespace vigie
