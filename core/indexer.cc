#include "core/indexer.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/bucket_merge.h"
#include "core/csv.h"
#include "core/dump_load.h"
#include "core/dump_tagger.h"
#include "core/input_file.h"
#include "core/record_run.h"
#include "core/sst_writer.h"

namespace vigie {

namespace fs = std::filesystem;

Status CheckKindAllowed(const IndexMeta& meta, const Scheme& scheme, Kind kind) {
  if (!scheme.AcceptsKind(kind)) {
    return Status::InvalidArgument("index.kind", "an index of scheme " + std::string(SchemeName(meta.scheme)) +
                                                     " cannot hold identifiers of kind " + std::string(KindName(kind)));
  }
  if (kind == Kind::kNir && meta.scheme == SchemeId::kSha256 && !meta.allow_unkeyed_nir) {
    return Status::FailedPrecondition(
        "this sha256 index refuses NIRs: an unkeyed hash of an NIR is brute-forced in hours (about 10^11 "
        "plausible values), so the index would re-publish them. Use the keyed oprf-p256 scheme, or create the "
        "index with --allow-unkeyed-nir if you accept that risk",
        "index.unkeyed-nir");
  }
  return Status::Ok();
}

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

int ThreadCount(int requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

using CatalogueEntries = std::vector<std::pair<std::string, std::optional<std::string>>>;

// The catalogue changes of an update (keys in order; nullopt deletes), as a table file of the commit.
Status WriteCatalogueSst(const std::string& path, const CatalogueEntries& entries) {
  SstWriter writer(path);
  Status s;
  for (auto it = entries.begin(); it != entries.end() && s.ok(); ++it) {
    s = it->second ? writer.Put(it->first, *it->second) : writer.Delete(it->first);
  }
  if (s.ok()) s = writer.Finish().status();
  return s.ok() ? s : Status::IOError("writing the catalogue update: " + s.message());
}

// Empties the staging area after a failed update. The next writable open would too, but a failure is
// most often a full disk: its spill runs and half-written SSTs should free their space at once.
void ClearStaging(const Index& index) {
  if (index.read_only()) return;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(index.staging_dir(), ec)) fs::remove_all(entry.path(), ec);
}

// ---- AddDump, stage by stage ---------------------------------------------------------------------------

// Stages 1 and 2 (plan, read and tag) are in core/dump_load.cc.

// The dump record of an earlier load of the same file into the same breach for the same columns: loading
// it again would change nothing.
Result<std::optional<DumpRecord>> EarlierLoad(const Index& index, const LoadPlan& plan) {
  auto dumps = index.ListDumps();
  if (!dumps.ok()) return dumps.status();
  for (const DumpRecord& d : *dumps) {
    if (d.digest == plan.digest_hex && d.breach == plan.breach.name && d.selection == plan.selection)
      return std::optional<DumpRecord>(d);
  }
  return std::optional<DumpRecord>();
}

// Stage 3 — merge the runs with the existing buckets: one table file per thread, over disjoint key ranges.
// Adds the counts to *dump and *breach.
Result<std::vector<std::string>> MergeRuns(const Index& index, const RecordLayout& records,
                                           const std::vector<Run>& runs, const BreachRecord& breach, int threads,
                                           const AddOptions& options, DumpRecord* dump, BreachRecord* updated,
                                           uint64_t* buckets_written) {
  std::vector<const Run*> run_ptrs;
  for (const Run& r : runs) run_ptrs.push_back(&r);
  std::vector<MergeResult> merged(static_cast<size_t>(threads));
  std::atomic<uint64_t> partitions_done{0};
  std::atomic<bool> merging{true};
  std::thread progress_thread;
  if (options.progress) {
    progress_thread = std::thread([&] {
      while (merging.load()) {
        options.progress("merge", partitions_done.load(), kPartitions, dump->rows);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }
  ForPartitionRanges(threads, [&](int t, uint32_t lo, uint32_t hi) {
    MergeRange(index, records, run_ptrs, lo, hi, breach.id,
               index.staging_dir() + "/buckets-" + std::to_string(t) + ".sst", &partitions_done,
               &merged[static_cast<size_t>(t)]);
  });
  merging = false;
  if (progress_thread.joinable()) progress_thread.join();
  std::vector<std::string> ssts;
  for (const MergeResult& m : merged) {
    VIGIE_RETURN_IF_ERROR(m.status);
    if (!m.sst_path.empty()) ssts.push_back(m.sst_path);
    *buckets_written += m.buckets_written;
    for (const auto& [kind, st] : m.stats) {
      dump->new_to_index += st.new_to_index;
      dump->already_present += st.already_present;
      dump->new_to_breach += st.new_to_breach;
      updated->count += st.new_to_breach;
      updated->count_by_kind[std::string(KindName(kind))] += st.new_to_breach;
    }
  }
  return ssts;
}

// Stage 4 — commit: the catalogue changes travel in the same atomic ingestion as the buckets.
Status Commit(Index* index, std::vector<std::string> ssts, CatalogueEntries catalogue,
              const std::function<void(std::string_view)>& test_hook) {
  IndexMeta meta = index->meta();
  meta.generation++;
  meta.committed_at = std::time(nullptr);
  catalogue.emplace_back(std::string(kMetaKey), EncodeMeta(meta));
  std::sort(catalogue.begin(), catalogue.end());
  const std::string catalogue_path = index->staging_dir() + "/catalogue.sst";
  VIGIE_RETURN_IF_ERROR(WriteCatalogueSst(catalogue_path, catalogue));
  ssts.push_back(catalogue_path);
  if (test_hook) test_hook("before-commit");
  VIGIE_RETURN_IF_ERROR(index->Ingest(ssts));
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(index->staging_dir(), ec)) fs::remove(entry.path(), ec);
  return Status::Ok();
}

Result<AddReport> AddDumpStaged(Index* index, const Scheme& scheme, const AddOptions& options) {
  const auto start = Clock::now();
  AddReport report;
  auto plan = PlanLoad(*index, scheme, options);
  if (!plan.ok()) return plan.status();
  auto earlier = EarlierLoad(*index, *plan);
  if (!earlier.ok()) return earlier.status();
  if (*earlier) {
    report.skipped = true;
    report.skip_reason = "this file (digest " + plan->digest_hex + ") was already loaded into breach '" +
                         options.breach + "' for the same columns on " + (*earlier)->added_at + "; nothing changed";
    report.dump = **earlier;
    return report;
  }
  if (options.test_hook) options.test_hook("after-open");

  // Stage 2 — read, normalise, tag, member by member.
  const RecordLayout records(index->layout(), plan->passwords);
  if (!PickSort(records.size)) return Status::Internal("unsupported record size");
  const int threads = ThreadCount(options.threads);
  auto read = ReadMembers(*index, scheme, records, options, threads, &*plan);
  if (!read.ok()) return read.status();
  if (options.test_hook) options.test_hook("after-read");
  report.read_seconds = SecondsSince(start);
  TaggedDump& tagged = read->all;
  report.spilled_runs = tagged.spilled_runs;
  report.members = std::move(read->members);
  report.container = plan->input->container();
  DumpRecord& dump = report.dump;
  dump.rows = tagged.rows;
  dump.identifiers = tagged.identifiers;
  dump.rejects_by_reason = tagged.rejects_by_reason;
  dump.rejected = tagged.rejected;
  VIGIE_RETURN_IF_ERROR(CheckRejectRate(dump, options.allow_rejects).WithContext(options.input_path));

  const auto merge_start = Clock::now();
  BreachRecord updated = plan->breach;
  auto ssts =
      MergeRuns(*index, records, tagged.runs, plan->breach, threads, options, &dump, &updated, &report.buckets_written);
  tagged.runs.clear();  // unmaps spill files before they are removed
  if (!ssts.ok()) return ssts.status();
  report.merge_seconds = SecondsSince(merge_start);

  const auto commit_start = Clock::now();
  dump.breach = options.breach;
  dump.digest = plan->digest_hex;
  dump.selection = plan->selection;
  dump.file_name = fs::path(options.input_path).filename().string();
  dump.file_bytes = plan->input->raw_size();
  dump.added_at = NowUtc();
  dump.seconds = SecondsSince(start);
  VIGIE_RETURN_IF_ERROR(Commit(index, std::move(*ssts),
                               {{BreachKey(updated.name), EncodeBreach(updated)},
                                {DumpKey(dump.breach, dump.digest, dump.selection), EncodeDump(dump)}},
                               options.test_hook));
  report.commit_seconds = SecondsSince(commit_start);
  report.dump.seconds = SecondsSince(start);
  return report;
}

// ---- RemoveBreach ----------------------------------------------------------------------------------------

struct RemovePart {
  std::string sst_path;
  uint64_t removed = 0, gone = 0, rewritten = 0, deleted = 0;
  Status status;
};

// The bucket without breach `id`'s memberships (entries left with none dropped). Returns whether it changed.
bool WithoutBreach(const Bucket& bucket, uint32_t id, Bucket* kept, RemovePart* part) {
  bool touched = false;
  kept->Reset(bucket.suffix_bytes, bucket.has_counts);
  for (size_t e = 0; e < bucket.size(); ++e) {
    auto ms = bucket.members_of(e);
    const bool has = std::any_of(ms.begin(), ms.end(), [&](const Membership& m) { return m.breach_id == id; });
    if (!has) {
      kept->AddEntry(bucket.suffix(e));
      for (const Membership& m : ms) kept->AddMember(m);
      continue;
    }
    touched = true;
    part->removed++;
    if (ms.size() == 1) {
      part->gone++;
      continue;
    }
    kept->AddEntry(bucket.suffix(e));
    for (const Membership& m : ms) {
      if (m.breach_id != id) kept->AddMember(m);
    }
  }
  return touched;
}

// Rewrites (or deletes) every bucket of partitions [lo, hi) that holds breach `id`.
void RemoveRange(const Index& index, uint32_t id, uint32_t lo, uint32_t hi, const std::string& path, RemovePart* part) {
  const std::string hi_key = PartitionStartKey(hi, index.layout());
  SstWriter writer(path);
  Bucket bucket, kept;
  std::string encoded;
  std::unique_ptr<IndexCursor> it = index.NewCursor();
  for (it->Seek(PartitionStartKey(lo, index.layout())); it->Valid() && it->key() < hi_key; it->Next()) {
    part->status = DecodeBucket(it->value(), index.layout().suffix_bytes(), &bucket);
    if (!part->status.ok()) return;
    if (!WithoutBreach(bucket, id, &kept, part)) continue;
    if (kept.empty()) {
      part->status = writer.Delete(it->key());
      part->deleted++;
    } else {
      EncodeBucket(kept, &encoded);
      part->status = writer.Put(it->key(), encoded);
      part->rewritten++;
    }
    if (!part->status.ok()) return;
  }
  part->status = it->status();
  if (!part->status.ok()) return;
  auto finished = writer.Finish();
  part->status = finished.status();
  if (finished.ok()) part->sst_path = *finished;
}

Result<RemoveReport> RemoveBreachStaged(Index* index, const std::string& name, const RemoveOptions& options) {
  const auto start = Clock::now();
  auto breach = index->GetBreach(name);
  if (!breach.ok()) return breach.status();
  RemoveReport report;
  report.breach = *breach;
  const int threads = ThreadCount(options.threads);
  std::vector<RemovePart> parts(static_cast<size_t>(threads));
  ForPartitionRanges(threads, [&](int t, uint32_t lo, uint32_t hi) {
    RemoveRange(*index, breach->id, lo, hi, index->staging_dir() + "/remove-" + std::to_string(t) + ".sst",
                &parts[static_cast<size_t>(t)]);
  });
  std::vector<std::string> ssts;
  for (const RemovePart& p : parts) {
    VIGIE_RETURN_IF_ERROR(p.status);
    if (!p.sst_path.empty()) ssts.push_back(p.sst_path);
    report.identifiers_removed += p.removed;
    report.identifiers_gone += p.gone;
    report.buckets_rewritten += p.rewritten;
    report.buckets_deleted += p.deleted;
  }
  auto dumps = index->ListDumps();
  if (!dumps.ok()) return dumps.status();
  CatalogueEntries catalogue;
  catalogue.emplace_back(BreachKey(name), std::nullopt);
  for (const DumpRecord& d : *dumps) {
    if (d.breach == name) catalogue.emplace_back(DumpKey(d.breach, d.digest, d.selection), std::nullopt);
  }
  VIGIE_RETURN_IF_ERROR(Commit(index, std::move(ssts), std::move(catalogue), options.test_hook));
  report.seconds = SecondsSince(start);
  return report;
}

}  // namespace

Result<AddReport> AddDump(Index* index, const Scheme& scheme, const AddOptions& options) {
  Result<AddReport> report = AddDumpStaged(index, scheme, options);
  if (!report.ok()) ClearStaging(*index);
  return report;
}

Result<RemoveReport> RemoveBreach(Index* index, const std::string& name, const RemoveOptions& options) {
  Result<RemoveReport> report = RemoveBreachStaged(index, name, options);
  if (!report.ok()) ClearStaging(*index);
  return report;
}

}  // namespace vigie
