// Static export of an index state (the CDN path, docs/EXPORT.md): every public body vigie-serve can answer
// from one PublishedIndex, written as files whose bytes are those the server sends, plus a manifest.
//
//   v1/range/{kind}/{prefix}   lower-case prefix, every prefix of every exported kind (empty buckets too)
//   range/{PREFIX}             sha1 index with 5-digit prefixes: Pwned Passwords /range/{PREFIX}
//   range-ntlm/{PREFIX}        ntlm index: /range/{PREFIX}?mode=ntlm (a query string is no file name)
//   v1/breaches.json           /v1/breaches (a file cannot also be the directory v1/breaches/)
//   v1/breaches/{name}         /v1/breaches/{name}
//   v1/index                   /v1/index (PublishedIndex::info_json)
//   manifest.json              one line per file: path, ETag (BodyEtag, as the server sends it), size
//
// Files get the commit time of the index state as their modification time, so a static server's
// Last-Modified equals vigie-serve's. The export is built in a sibling temporary directory and renamed
// into place (an existing export is swapped atomically with renameat2(RENAME_EXCHANGE), then deleted):
// readers see the old export or the new one, never a mix. When out_dir holds a previous export, range
// files whose bytes did not change are hard links to its files (same inode, so they keep the time of
// the state that last changed them): a re-export writes, and deleting the old tree frees, only what
// changed — on some disks freeing a small file costs milliseconds.
//
// Thread-safety: ExportIndex uses options.threads worker threads internally; call it from one thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/kind.h"
#include "core/published_index.h"

namespace vigie {

struct ExportOptions {
  std::string out_dir;
  // Export every kind the index serves, not only the kinds that hold at least one identifier (a kind
  // nobody is in costs bucket_count() files of empty bodies).
  bool all_kinds = false;
  // Which trees to write (a Pwned Passwords mirror may want only range/; breaches and manifest always).
  bool v1_range = true;
  bool hibp_range = true;  // where the index serves it (PublishedIndex::ServesHibp)
  int threads = 2;
};

struct ExportStats {
  uint64_t files = 0;   // manifest.json excluded
  uint64_t bytes = 0;   // sum of the files' sizes
  uint64_t linked = 0;  // range files unchanged since the previous export in out_dir: hard-linked, not written
  std::vector<Kind> kinds;
  std::string hibp_dir;        // "range", "range-ntlm" or empty
  double write_seconds = 0;    // rendering and writing the files
  double sync_seconds = 0;     // syncfs before the rename
  double replace_seconds = 0;  // rename, and deleting a previous export
};

Status ExportIndex(const PublishedIndex& index, const ExportOptions& options, ExportStats* stats);

// IMF-fixdate of `t` ("Sun, 06 Nov 1994 08:49:37 GMT"), the Last-Modified form.
std::string HttpDateOf(std::time_t t);

}  // namespace vigie
