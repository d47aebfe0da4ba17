#include "core/remote_tagger.h"

#include <algorithm>
#include <thread>

#include "core/normalize.h"

namespace vigie {

namespace {

// Runs fn(begin, end) over [0, n) in up to hardware_concurrency slices (the OPRF client work is a few
// scalar multiplications per row); returns the first error.
Status ParallelSlices(size_t n, const std::function<Status(size_t, size_t)>& fn) {
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 16);
  const size_t slices = std::min(threads, std::max<size_t>(1, n / 64));
  if (slices <= 1) return fn(0, n);
  std::vector<Status> results(slices);
  std::vector<std::thread> pool;
  for (size_t t = 0; t < slices; ++t) {
    pool.emplace_back([&, t] { results[t] = fn(n * t / slices, n * (t + 1) / slices); });
  }
  for (auto& th : pool) th.join();
  for (Status& r : results) VIGIE_RETURN_IF_ERROR(r);
  return Status::Ok();
}

}  // namespace

RemoteTagger::RemoteTagger(Kind kind, const RemoteIndexInfo& info) : kind_(kind), info_(info) {
  oprf_ = info.scheme_known && info.scheme == SchemeId::kOprfP256;
  if (kind == Kind::kPassword) {
    sha1_ = std::move(MakeUnkeyedScheme(SchemeId::kSha1).value());
    ntlm_ = std::move(MakeUnkeyedScheme(SchemeId::kNtlm).value());
  } else {
    sha256_ = std::move(MakeUnkeyedScheme(SchemeId::kSha256).value());
  }
  tag_.resize(32);
}

Status RemoteTagger::Tag(std::string_view input, std::string* canonical, bool* valid, uint32_t* prefix,
                         char* suffix_hex, size_t row) {
  *valid = false;
  Status s = Normalize(kind_, input, canonical);
  if (!s.ok()) return s;
  *valid = true;
  if (oprf_) {
    pending_.push_back({row, TagInput(kind_, *canonical)});
    return Status::Ok();
  }
  const Scheme* scheme = sha256_.get();
  if (kind_ == Kind::kPassword) {
    const bool ntlm = info_.scheme_known ? info_.scheme == SchemeId::kNtlm : canonical->size() == 32;
    scheme = ntlm ? ntlm_.get() : sha1_.get();
  }
  VIGIE_RETURN_IF_ERROR(scheme->ComputeTag(kind_, *canonical, tag_.data()));
  return Cut(tag_.data(), scheme->tag_bytes(), prefix, suffix_hex);
}

Status RemoteTagger::FinishOprf(BucketSource* source, uint32_t* prefixes, char* suffix_hex, size_t w) {
  if (!oprf_ || pending_.empty()) return Status::Ok();
  const size_t n = pending_.size();
  std::vector<oprf::Blinded> blinded(n);
  std::vector<oprf::Element> elements(n), evaluated(n);
  VIGIE_RETURN_IF_ERROR(ParallelSlices(n, [&](size_t begin, size_t end) -> Status {
    for (size_t i = begin; i < end; ++i) {
      auto b = oprf::Blind(oprf::Mode::kOprf, pending_[i].input);
      if (!b.ok()) return b.status();
      blinded[i] = *b;
      elements[i] = b->element;
    }
    return Status::Ok();
  }));
  VIGIE_RETURN_IF_ERROR(source->Evaluate(kind_, elements, evaluated));
  auto finalize = [&](size_t begin, size_t end) -> Status {
    for (size_t i = begin; i < end; ++i) {
      auto out = oprf::Finalize(pending_[i].input, blinded[i].blind, evaluated[i]);
      if (!out.ok()) return out.status();
      const size_t row = pending_[i].row;
      VIGIE_RETURN_IF_ERROR(Cut(out->data(), out->size(), &prefixes[row], suffix_hex + row * w));
    }
    return Status::Ok();
  };
  VIGIE_RETURN_IF_ERROR(ParallelSlices(n, finalize));
  pending_.clear();
  return Status::Ok();
}

Status RemoteTagger::Cut(const uint8_t* tag, size_t tag_bytes, uint32_t* prefix, char* suffix_hex) const {
  const TagLayout& layout = info_.layout;
  if (static_cast<size_t>(layout.prefix_hex + layout.suffix_hex) > 2 * tag_bytes) {
    return Status::InvalidArgument("remote.layout", "the server's prefix and suffix are longer than the tag");
  }
  *prefix = layout.Prefix(tag);
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < layout.suffix_hex; ++i) {
    const int nibble = layout.prefix_hex + i;
    const uint8_t byte = tag[static_cast<size_t>(nibble / 2)];
    suffix_hex[i] = kHex[nibble % 2 ? byte & 0xf : byte >> 4];
  }
  return Status::Ok();
}

}  // namespace vigie
