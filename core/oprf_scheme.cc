#include "core/oprf_scheme.h"

#include <cstring>
#include <vector>

#include "core/oprf_key.h"

namespace vigie {
namespace {

Status CheckKind(Kind kind) {
  if (kind == Kind::kPassword) {
    return Status::InvalidArgument("scheme.kind", "the oprf-p256 scheme takes nir, email and phone identifiers");
  }
  return Status::Ok();
}

}  // namespace

OprfScheme::OprfScheme(std::shared_ptr<const oprf::OprfKey> key) : key_(std::move(key)) {}

Result<std::unique_ptr<OprfScheme>> OprfScheme::FromKeyFile(const std::string& path) {
  Result<oprf::OprfKey> key = oprf::LoadKeyFile(path);
  if (!key.ok()) return key.status();
  return std::make_unique<OprfScheme>(std::make_shared<const oprf::OprfKey>(std::move(*key)));
}

Status OprfScheme::ComputeTag(Kind kind, std::string_view canonical, uint8_t* tag) const {
  VIGIE_RETURN_IF_ERROR(CheckKind(kind));
  thread_local std::string input;
  input.assign("vigie:");
  input += KindName(kind);
  input += ':';
  input += canonical;
  Result<oprf::Output> out = oprf::Evaluate(oprf::Mode::kOprf, *key_, input);
  if (!out.ok()) return out.status();
  std::memcpy(tag, out->data(), out->size());
  return Status::Ok();
}

Status OprfScheme::ComputeTags(Kind kind, std::span<const std::string_view> canonical, uint8_t* tags) const {
  VIGIE_RETURN_IF_ERROR(CheckKind(kind));
  // Per-thread buffers of "vigie:{kind}:" inputs, reused across calls: one arena, then views into it.
  thread_local std::string arena;
  thread_local std::vector<size_t> ends;
  thread_local std::vector<std::string_view> views;
  const std::string_view name = KindName(kind);
  arena.clear();
  ends.clear();
  for (std::string_view c : canonical) {
    arena.append("vigie:");
    arena.append(name);
    arena.push_back(':');
    arena.append(c);
    ends.push_back(arena.size());
  }
  views.clear();
  size_t start = 0;
  for (size_t end : ends) {
    views.emplace_back(arena.data() + start, end - start);
    start = end;
  }
  return oprf::EvaluateBatch(*key_, views, tags);
}

}  // namespace vigie
