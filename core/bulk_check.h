// Remote checking: look identifiers up in an index that is only reachable through its range API, sending
// prefixes only (PRODUCT.md §4). Used by `vigie-check --server` for a few values and for bulk files.
//
// The buckets come from a BucketSource: the HTTP client in tools/ in production, an in-memory fake in tests.
// On an oprf-p256 index the tags come from the server too, obliviously: each canonical input
// "vigie:{kind}:{canonical}" is blinded with a fresh random scalar (oprf::Blind), the blinded elements of a
// whole block go to BucketSource::Evaluate (the server's BlindEvaluate), and Finalize gives the tag; the
// server sees only uniformly random points, then only prefixes.
// Everything else — normalising, tagging, grouping rows by prefix so that each bucket is fetched once per
// block, matching suffixes, writing rows back in input order, checkpointing — lives here.
//
// Bulk run (RunBulkCheck): the input (plain, gzip or zstd; CSV/TSV/... or a plain list, read with the
// indexer's InputFile/LineChunker/LineParser) is processed in blocks of `block_rows` lines. For each block:
// normalise and tag every row, fetch the distinct prefixes, build the output rows in input order (every
// original line kept verbatim, plus `found`, `breaches`, `error` columns), append them to the output as one
// unit (a gzip member / zstd frame for compressed outputs), fsync the output, then atomically rewrite the
// checkpoint (lines done, output byte length, counts). A killed run restarted with the same checkpoint
// truncates the output to the recorded length and continues from the recorded line: no duplicates, no gaps.
// Memory is bounded by the block size, whatever the input size.
//
// Thread-safety: BucketSource::Fetch may call its callback from several threads at once, for different
// indices; the functions here are otherwise single-threaded. A BucketSource is used by one run at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/codec.h"
#include "core/kind.h"
#include "core/lookup.h"
#include "core/oprf.h"
#include "core/progress.h"
#include "core/scheme.h"
#include "core/status.h"

namespace vigie {

// What a client must know about a remote index to compute and cut tags.
struct RemoteIndexInfo {
  SchemeId scheme = SchemeId::kSha256;
  bool scheme_known = false;  // false: inferred (sha256 for identifiers, from the hash length for passwords)
  TagLayout layout;
  std::string oprf_fingerprint;  // oprf-p256: the key fingerprint the server's /v1/index reports
};

// The rows of a block (or of a list of values) to look up, as the tagger cut their tags: prefix and suffix
// (hex, `width` characters per row) in the index's layout. Rows with pending[row] == 0 are skipped.
struct MatchRows {
  std::span<const uint32_t> prefixes;
  std::string_view suffixes;
  size_t width = 0;
  std::span<const uint8_t> pending;
  // Called now and then with how far the look-ups got (done, total), for progress lines; may be empty.
  std::function<void(uint64_t done, uint64_t total)> progress;
};
// Called once for each row found, with its breaches (names) and occurrence count (password indexes);
// possibly from several threads at once, for different rows.
using OnFound = std::function<void(uint32_t row, const std::vector<std::string>& breaches, uint64_t count)>;

class BucketSource {
 public:
  virtual ~BucketSource() = default;
  // The scheme and tag layout of the index for `kind` (an error when the server cannot serve the kind).
  virtual Result<RemoteIndexInfo> Describe(Kind kind) = 0;
  // Fetches the bucket of every prefix and calls on_bucket(i, bucket) once for each i, possibly from
  // several threads at once. Returns the first error that retries did not cure, or the first error the
  // callback returned; remaining fetches are then abandoned.
  using OnBucket = std::function<Status(size_t index, const RangeResponse& bucket)>;
  virtual Status Fetch(Kind kind, std::span<const uint32_t> prefixes, const OnBucket& on_bucket) = 0;
  // oprf-p256 indexes: the server's BlindEvaluate of every blinded element, in order (`evaluated` has
  // blinded.size() slots). The default refuses: a source without an evaluator cannot serve such indexes.
  virtual Status Evaluate(Kind kind, std::span<const oprf::Element> blinded, std::span<oprf::Element> evaluated);
  // Looks the rows up. This default fetches each distinct prefix's bucket once (Fetch) and matches the
  // suffixes in it; the private path (tools/private_set_source.h) matches against the kind's set instead.
  // *requests: how many buckets (or shards) this call fetched.
  virtual Status Match(Kind kind, const TagLayout& layout, const MatchRows& rows, const OnFound& on_found,
                       uint64_t* requests);
};

// Looks `values` up through `source`, one fetch per distinct prefix. Results are in input order and
// shaped like Lookup::Check's (a `valid` row with a non-OK `error` only when the tag cannot be computed).
Result<std::vector<LookupResult>> CheckValues(BucketSource* source, Kind kind, const std::vector<std::string>& values);

struct BulkOptions {
  Kind kind = Kind::kNir;
  std::string input_path;       // "-": standard input (then no checkpoint)
  std::string output_path;      // ".gz"/".zst": compressed; "-": standard output (then no checkpoint)
  std::string column;           // header name or 1-based number; empty: guessed from the header
  int header = -1;              // -1: CSV has a header, a plain list has none (as the indexer); 0/1 force
  std::string checkpoint_path;  // empty: not resumable
  size_t block_rows = 1'000'000;
  size_t chunk_bytes = 4 << 20;  // LineChunker chunk size (tests make it small)
  Progress* progress = nullptr;  // borrowed; null: silent
  // Test hook, called after each block at stage "output-synced" (output written, checkpoint not yet) and
  // "checkpoint-synced". Returning true stops the run there as a crash would (RunBulkCheck returns an
  // Internal "bulk.stopped" error).
  std::function<bool(std::string_view stage, uint64_t lines_done)> test_stop;
};

struct BulkReport {
  uint64_t rows = 0;  // data rows (header excluded), whole file including rows of earlier runs
  uint64_t found = 0;
  uint64_t not_found = 0;
  uint64_t invalid = 0;           // rows with an error (unparsable line, invalid identifier)
  uint64_t buckets = 0;           // bucket fetches made by this run
  uint64_t resumed_at_line = 0;   // 0: fresh start; else the first line this run read (1-based)
  bool already_complete = false;  // the checkpoint said the run had finished; nothing was done
  double seconds = 0;             // this run
};

Result<BulkReport> RunBulkCheck(const BulkOptions& options, BucketSource* source);

// The CSV field `value` as written with `delimiter`: quoted (doubling quotes) when it holds the delimiter,
// a quote, CR or LF, or starts or ends with a space; as is otherwise.
std::string CsvField(std::string_view value, char delimiter);

}  // namespace vigie
