#include "core/lookup.h"

#include "core/normalize.h"
#include "core/password_hash.h"

namespace vigie {

LookupResult Lookup::Check(Kind kind, std::string_view input) {
  LookupResult r;
  if (!scheme_.AcceptsKind(kind)) {
    r.error = Status::InvalidArgument("index.kind",
                                      "this index does not hold identifiers of kind " + std::string(KindName(kind)));
    return r;
  }
  Status s;
  if (kind == Kind::kPassword) {
    uint64_t ignored = 0;
    s = ParsePasswordHashLine(input,
                              index_.meta().scheme == SchemeId::kNtlm ? PasswordHash::kNtlm : PasswordHash::kSha1,
                              &r.canonical, &ignored);
  } else {
    s = Normalize(kind, input, &r.canonical);
  }
  if (!s.ok()) {
    r.canonical.clear();
    r.error = s;
    return r;
  }
  r.valid = true;
  tag_.resize(scheme_.tag_bytes());
  s = scheme_.ComputeTag(kind, r.canonical, tag_.data());
  if (!s.ok()) {
    r.error = s;
    return r;
  }
  const TagLayout& layout = index_.layout();
  suffix_.resize(layout.suffix_bytes());
  layout.Suffix(tag_.data(), suffix_.data());
  s = index_.GetBucket(kind, layout.Prefix(tag_.data()), &bucket_);
  if (s.IsNotFound()) return r;
  if (!s.ok()) {
    r.error = s;
    return r;
  }
  auto found = FindInBucket(bucket_, layout.suffix_bytes(), suffix_.data(), &members_);
  if (!found.ok()) {
    r.error = found.status();
    return r;
  }
  r.found = *found;
  for (const Membership& m : members_) {
    const std::string* name = index_.BreachNameForId(m.breach_id);
    r.breaches.push_back(name ? *name : "#" + std::to_string(m.breach_id));
    r.count += m.count;
  }
  return r;
}

}  // namespace vigie
