#include "core/published_index.h"

#include <sys/stat.h>

#include <fstream>

namespace vigie {

namespace {

std::time_t ManifestTime(const std::string& dir) {
  const std::string db = dir + "/db/";
  std::ifstream current(db + "CURRENT");
  std::string manifest;
  std::getline(current, manifest);
  struct stat st {};
  if (manifest.empty() || ::stat((db + manifest).c_str(), &st) != 0) return 0;
  return st.st_mtime;
}

}  // namespace

Result<std::unique_ptr<PublishedIndex>> PublishedIndex::Open(const std::string& dir, const PublishOptions& options) {
  auto index = Index::Open(dir, options.warm ? Index::Mode::kServing : Index::Mode::kReadOnly);
  if (!index.ok()) return index.status();
  return Build(std::move(*index), options);
}

Result<std::unique_ptr<PublishedIndex>> PublishedIndex::Build(std::unique_ptr<Index> index,
                                                              const PublishOptions& options) {
  std::unique_ptr<PublishedIndex> p(new PublishedIndex());
  p->index_ = std::move(index);
  // The commit time recorded in the metadata; indexes written before it existed fall back to the
  // MANIFEST's modification time (which a later compaction may move).
  p->commit_time_ = p->index_->meta().committed_at > 0 ? static_cast<std::time_t>(p->index_->meta().committed_at)
                                                       : ManifestTime(p->index_->dir());
  const auto& breaches = p->index_->breaches();
  p->breach_table_ = MakeRangeBreachTable(breaches);
  p->breach_list_json_ = EncodeBreachListJson(breaches);
  for (const auto& [name, record] : breaches) p->breach_json_.emplace(name, EncodeBreachJson(record));
  const IndexMeta& meta = p->index_->meta();
  p->context_.breaches = &p->breach_table_;
  p->context_.layout = meta.layout;
  p->context_.counts = meta.scheme == SchemeId::kSha1 || meta.scheme == SchemeId::kNtlm;
  std::vector<Kind> served;
  for (Kind kind : kAllKinds) {
    if (p->ServesKind(kind)) served.push_back(kind);
  }
  p->info_json_ = EncodeIndexInfoJson(meta, served);

  if (meta.pad_responses) {
    RangePaddingPlanner planner(p->context_, options.pad_key);
    Bucket bucket;
    for (Kind kind : kAllKinds) {  // key order: kinds in byte order, prefixes ascending
      Status s = p->index_->ForEachBucket(kind, [&](uint32_t prefix, std::string_view encoded) -> Status {
        VIGIE_RETURN_IF_ERROR(DecodeBucket(encoded, meta.layout.suffix_bytes(), &bucket));
        planner.Observe(kind, prefix, bucket);
        return Status::Ok();
      });
      VIGIE_RETURN_IF_ERROR(s.WithContext("scanning buckets for padding"));
    }
    p->padding_ = planner.Finish(served);
    p->context_.padding = &p->padding_;
  }
  if (options.sets) {
    PublishedSet::Options set_options{meta.shard_bits, meta.pad_responses, std::string(SchemeName(meta.scheme))};
    for (Kind kind : served) {
      auto set = PublishedSet::Build(*p->index_, kind, p->breach_table_, set_options);
      if (!set.ok()) return set.status();
      p->sets_[static_cast<size_t>(kind)] = std::move(*set);
    }
  }
  return p;
}

const PublishedSet* PublishedIndex::Set(Kind kind) const { return sets_[static_cast<size_t>(kind)].get(); }

bool PublishedIndex::ServesKind(Kind kind) const {
  const bool passwords = meta().scheme == SchemeId::kSha1 || meta().scheme == SchemeId::kNtlm;
  return passwords == (kind == Kind::kPassword);
}

bool PublishedIndex::ServesHibp() const {
  return (meta().scheme == SchemeId::kSha1 || meta().scheme == SchemeId::kNtlm) && layout().prefix_hex == 5;
}

Status PublishedIndex::ReadBucket(Kind kind, uint32_t prefix, Bucket* bucket) const {
  std::string encoded;
  Status s = index_->GetBucket(kind, prefix, &encoded);
  if (s.IsNotFound()) {
    bucket->Reset(layout().suffix_bytes(), context_.counts);
    return Status::Ok();
  }
  VIGIE_RETURN_IF_ERROR(s);
  return DecodeBucket(encoded, layout().suffix_bytes(), bucket);
}

Status PublishedIndex::RangeJson(Kind kind, uint32_t prefix, std::string* body) const {
  Bucket bucket;
  VIGIE_RETURN_IF_ERROR(ReadBucket(kind, prefix, &bucket));
  body->clear();
  EncodeRangeJson(context_, kind, prefix, bucket, body);
  return Status::Ok();
}

Status PublishedIndex::HibpRange(uint32_t prefix, const HibpPadding* padding, std::string* body) const {
  Bucket bucket;
  VIGIE_RETURN_IF_ERROR(ReadBucket(Kind::kPassword, prefix, &bucket));
  body->clear();
  EncodeHibpRange(bucket, layout(), padding, body);
  return Status::Ok();
}

const std::string* PublishedIndex::BreachJson(std::string_view name) const {
  auto it = breach_json_.find(name);
  return it == breach_json_.end() ? nullptr : &it->second;
}

}  // namespace vigie
