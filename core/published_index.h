// PublishedIndex: one read-only state of an index plus everything needed to render its public HTTP
// bodies (/v1/range JSON, Pwned Passwords /range text, the breach list) byte for byte. vigie-serve answers
// from it and a static export writes the same bytes from it, so a CDN copy and the server agree.
//
// Building one reads the catalogue and, for a padded index, scans every bucket once to size the padding
// (RangePaddingPlanner): O(index) time, done off the request path.
//
// Ownership: owns its Index. Thread-safety: immutable after Open/Build; every method may be called from
// any number of threads at once.
#pragma once

#include <array>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>

#include "core/codec.h"
#include "core/index.h"
#include "core/published_set.h"

namespace vigie {

struct PublishOptions {
  // Secret for padding rows (RangePadding::key); replicas that share it answer identically.
  std::array<uint8_t, 32> pad_key{};
  // Read every bucket into memory at open (Index::Mode::kServing), so that no read is faster for having
  // been asked recently: vigie-serve's default. Off for exports and tools (a full scan reads it anyway).
  bool warm = false;
  // Render the private path's sets (PublishedSet) of every served kind: vigie-serve and export do.
  bool sets = true;
};

class PublishedIndex {
 public:
  // Opens `dir` read-only and prepares it.
  static Result<std::unique_ptr<PublishedIndex>> Open(const std::string& dir, const PublishOptions& options);
  static Result<std::unique_ptr<PublishedIndex>> Build(std::unique_ptr<Index> index, const PublishOptions& options);

  const Index& index() const { return *index_; }
  const IndexMeta& meta() const { return index_->meta(); }
  const TagLayout& layout() const { return index_->layout(); }
  // When the state was committed (seconds since the epoch, IndexMeta::committed_at), for Last-Modified.
  std::time_t commit_time() const { return commit_time_; }

  // Kinds /v1/range serves: the ones the scheme accepts.
  bool ServesKind(Kind kind) const;
  // Whether /range/{5 hex} (Pwned Passwords) applies: a sha1 or ntlm index with 5-digit prefixes.
  bool ServesHibp() const;

  // The /v1/range body of (kind, prefix); deterministic. IOError/Corruption when the bucket cannot be read.
  Status RangeJson(Kind kind, uint32_t prefix, std::string* body) const;
  // The Pwned Passwords body of `prefix`; `padding` null for none.
  Status HibpRange(uint32_t prefix, const HibpPadding* padding, std::string* body) const;

  const std::string& breach_list_json() const { return breach_list_json_; }
  // The /v1/index body (EncodeIndexInfoJson).
  const std::string& info_json() const { return info_json_; }
  // One breach record as JSON, or nullptr when no breach has this name.
  const std::string* BreachJson(std::string_view name) const;

  const RangePadding* padding() const { return meta().pad_responses ? &padding_ : nullptr; }

  // The private path's set of a served kind (PublishOptions::sets), or nullptr.
  const PublishedSet* Set(Kind kind) const;

 private:
  PublishedIndex() = default;
  Status ReadBucket(Kind kind, uint32_t prefix, Bucket* bucket) const;

  std::unique_ptr<Index> index_;
  std::time_t commit_time_ = 0;
  RangeBreachTable breach_table_;
  RangePadding padding_;
  RangeJsonContext context_;
  std::string breach_list_json_;
  std::string info_json_;
  std::map<std::string, std::string, std::less<>> breach_json_;
  std::array<std::unique_ptr<PublishedSet>, 256> sets_;  // by kind byte
};

}  // namespace vigie
