#include "server/index_state.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include "server/http_util.h"

namespace vigie::serve {

// Commits change the MANIFEST (ingested SSTs) or append to the write-ahead log (small batches such as a
// breach definition), so their names, sizes and modification times say whether anything may have changed.
std::string IndexState::Fingerprint() const {
  const std::string db = dir_ + "/db";
  std::ifstream current(db + "/CURRENT");
  std::string fingerprint;
  std::getline(current, fingerprint);
  if (fingerprint.empty()) return std::string();
  std::error_code ec;
  std::vector<std::string> parts;
  for (const auto& entry : std::filesystem::directory_iterator(db, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("MANIFEST-") && !name.ends_with(".log")) continue;
    struct stat st {};
    if (::stat(entry.path().c_str(), &st) != 0) continue;
    parts.push_back(name + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
                    std::to_string(st.st_mtim.tv_nsec));
  }
  std::sort(parts.begin(), parts.end());
  for (const std::string& p : parts) fingerprint += "|" + p;
  return fingerprint;
}

Status IndexState::Swap(std::unique_ptr<PublishedIndex> published) {
  alive_->fetch_add(1);
  std::shared_ptr<Snapshot> snapshot(new Snapshot, [alive = alive_](Snapshot* s) {
    delete s;
    alive->fetch_sub(1);
  });
  snapshot->last_modified = HttpDate(published->commit_time());
  snapshot->breaches_etag = BodyEtag(published->breach_list_json());
  snapshot->info_etag = BodyEtag(published->info_json());
  snapshot->published = std::move(published);
  snapshot->sequence = ++sequence_;
  current_.store(std::move(snapshot), std::memory_order_release);
  return Status::Ok();
}

size_t IndexState::live_snapshots() const { return alive_->load(std::memory_order_acquire); }

Status IndexState::Load() {
  fingerprint_ = Fingerprint();
  auto published = PublishedIndex::Open(dir_, options_);
  if (!published.ok()) return published.status();
  if (validator_) VIGIE_RETURN_IF_ERROR(validator_(**published));
  return Swap(std::move(*published));
}

Status IndexState::Refresh(bool force, bool* swapped) {
  *swapped = false;
  const std::string fingerprint = Fingerprint();
  if (!force && (fingerprint.empty() || fingerprint == fingerprint_)) return Status::Ok();
  auto published = PublishedIndex::Open(dir_, options_);
  if (!published.ok()) return published.status();  // fingerprint_ unchanged: retried next time
  if (validator_) VIGIE_RETURN_IF_ERROR(validator_(**published));
  fingerprint_ = fingerprint;
  auto old = current();
  // Same generation (e.g. the writer only compacted): keep the snapshot, and with it the cache.
  if (old && old->generation() == (*published)->meta().generation) return Status::Ok();
  *swapped = true;
  return Swap(std::move(*published));
}

}  // namespace vigie::serve
