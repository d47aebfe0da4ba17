// RemoteTagger: a client's tags, made the way the remote index made them and cut the way its server cuts
// them (prefix and suffix of the range layout): normalise, then sha256/sha1/ntlm locally, or — on oprf-p256 —
// blind every queued input, have the BucketSource evaluate the blinded elements (the server's BlindEvaluate,
// which learns nothing), and finalize. Used by the bulk check and single look-ups (core/bulk_check.h).
//
// Not thread-safe (FinishOprf parallelises its own work).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/bulk_check.h"

namespace vigie {

class RemoteTagger {
 public:
  RemoteTagger(Kind kind, const RemoteIndexInfo& info);

  // Fills *prefix and suffix_hex (layout.suffix_hex characters). `*valid` says whether the input itself
  // was acceptable (false: the error is about the input; true with an error: the tag could not be made).
  // On oprf-p256 the row is only queued (`row` names it): FinishOprf fills its prefix and suffix.
  Status Tag(std::string_view input, std::string* canonical, bool* valid, uint32_t* prefix, char* suffix_hex,
             size_t row);
  // oprf-p256: blinds every queued input, has `source` evaluate them, finalizes, and writes each row's
  // prefix and suffix (suffix_hex points at row 0's, w characters per row). Nothing to do otherwise.
  Status FinishOprf(BucketSource* source, uint32_t* prefixes, char* suffix_hex, size_t w);

 private:
  Status Cut(const uint8_t* tag, size_t tag_bytes, uint32_t* prefix, char* suffix_hex) const;

  struct Pending {
    size_t row;
    std::string input;  // "vigie:{kind}:{canonical}"
  };
  bool oprf_ = false;
  std::vector<Pending> pending_;
  Kind kind_;
  RemoteIndexInfo info_;
  std::unique_ptr<Scheme> sha256_, sha1_, ntlm_;
  std::vector<uint8_t> tag_;
};

}  // namespace vigie
