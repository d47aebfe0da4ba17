// Lookup: "was this identifier in a breach?" against a local index, through the same path a remote
// client takes — normalise, compute the tag, read the bucket named by the prefix, match the suffix.
//
// Thread-safety: a Lookup is cheap; use one per thread (it keeps scratch buffers). The Index and Scheme it
// borrows must outlive it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/index.h"
#include "core/scheme.h"

namespace vigie {

struct LookupResult {
  bool valid = false;
  std::string canonical;  // empty when invalid
  Status error;           // why the input is invalid, or a read error
  bool found = false;
  std::vector<std::string> breaches;  // names, in breach-id order
  uint64_t count = 0;                 // password indexes: occurrences over all breaches
};

class Lookup {
 public:
  Lookup(const Index& index, const Scheme& scheme) : index_(index), scheme_(scheme) {}
  LookupResult Check(Kind kind, std::string_view input);

 private:
  const Index& index_;
  const Scheme& scheme_;
  std::string bucket_;
  std::vector<uint8_t> tag_;
  std::vector<uint8_t> suffix_;
  std::vector<Membership> members_;
};

}  // namespace vigie
