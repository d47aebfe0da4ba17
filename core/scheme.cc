#include "core/scheme.h"

#include <openssl/evp.h>

#include "core/codec.h"

namespace vigie {

std::string_view SchemeName(SchemeId id) {
  switch (id) {
    case SchemeId::kSha256:
      return "sha256";
    case SchemeId::kSha1:
      return "sha1";
    case SchemeId::kNtlm:
      return "ntlm";
    case SchemeId::kOprfP256:
      return "oprf-p256";
  }
  return "unknown";
}

std::optional<SchemeId> ParseSchemeName(std::string_view name) {
  for (SchemeId id : {SchemeId::kSha256, SchemeId::kSha1, SchemeId::kNtlm, SchemeId::kOprfP256}) {
    if (SchemeName(id) == name) return id;
  }
  return std::nullopt;
}

size_t SchemeTagBytes(SchemeId id) {
  switch (id) {
    case SchemeId::kSha1:
      return 20;
    case SchemeId::kNtlm:
      return 16;
    default:
      return 32;
  }
}

Status Scheme::ComputeTags(Kind kind, std::span<const std::string_view> canonical, uint8_t* tags) const {
  const size_t width = tag_bytes();
  for (size_t i = 0; i < canonical.size(); ++i) {
    VIGIE_RETURN_IF_ERROR(ComputeTag(kind, canonical[i], tags + i * width));
  }
  return Status::Ok();
}

std::string TagInput(Kind kind, std::string_view canonical) {
  std::string out = "vigie:";
  out += KindName(kind);
  out += ':';
  out += canonical;
  return out;
}

namespace {

class Sha256Scheme final : public Scheme {
 public:
  SchemeId id() const override { return SchemeId::kSha256; }
  bool AcceptsKind(Kind kind) const override { return kind != Kind::kPassword; }

  Status ComputeTag(Kind kind, std::string_view canonical, uint8_t* tag) const override {
    // One digest context per thread, reused: EVP context setup dominates the cost of hashing ~30 bytes.
    struct Ctx {
      EVP_MD_CTX* ctx = EVP_MD_CTX_new();
      EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
      ~Ctx() {
        EVP_MD_free(md);
        EVP_MD_CTX_free(ctx);
      }
    };
    thread_local Ctx t;
    char head[16] = "vigie:";
    std::string_view name = KindName(kind);
    size_t n = 6;
    for (char c : name) head[n++] = c;
    head[n++] = ':';
    unsigned int len = 0;
    if (!t.ctx || !t.md || EVP_DigestInit_ex2(t.ctx, t.md, nullptr) != 1 || EVP_DigestUpdate(t.ctx, head, n) != 1 ||
        EVP_DigestUpdate(t.ctx, canonical.data(), canonical.size()) != 1 || EVP_DigestFinal_ex(t.ctx, tag, &len) != 1 ||
        len != 32) {
      return Status::Internal("SHA-256 computation failed in OpenSSL");
    }
    return Status::Ok();
  }
};

// sha1 / ntlm: the canonical form of a password identifier is the upper-case hex hash; the tag is its bytes.
class HibpHashScheme final : public Scheme {
 public:
  explicit HibpHashScheme(SchemeId id) : id_(id) {}
  SchemeId id() const override { return id_; }
  bool AcceptsKind(Kind kind) const override { return kind == Kind::kPassword; }

  Status ComputeTag(Kind kind, std::string_view canonical, uint8_t* tag) const override {
    if (kind != Kind::kPassword) {
      return Status::InvalidArgument("scheme.kind", "this scheme only takes password hashes");
    }
    if (canonical.size() != tag_bytes() * 2 || !HexDecode(canonical, tag)) {
      return Status::InvalidArgument("password.hex", "the hash has the wrong length for this index's scheme");
    }
    return Status::Ok();
  }

 private:
  SchemeId id_;
};

}  // namespace

Result<std::unique_ptr<Scheme>> MakeUnkeyedScheme(SchemeId id) {
  switch (id) {
    case SchemeId::kSha256:
      return std::unique_ptr<Scheme>(new Sha256Scheme());
    case SchemeId::kSha1:
    case SchemeId::kNtlm:
      return std::unique_ptr<Scheme>(new HibpHashScheme(id));
    case SchemeId::kOprfP256:
      return Status::FailedPrecondition("the oprf-p256 scheme needs a key and is not available in this build");
  }
  return Status::InvalidArgument("scheme.unknown", "unknown scheme");
}

}  // namespace vigie
