// API keys for helpdesk and bulk clients: a file of "KEY [requests-per-minute [evaluations-per-minute]]"
// lines ('#' starts a comment), sent as "Authorization: Bearer KEY". A number may be "-": unlimited. No
// number: unlimited requests and evaluations. The evaluation figure (OPRF evaluations, counted one per
// element) defaults to the request figure.
//
// Keys are kept only as SHA-256 digests and never appear in messages or logs (errors name line numbers).
// ApiKeyFile re-reads the file when its size, modification time or inode changes; a file that fails to
// parse leaves the previous table in force; a deleted file revokes every key (an empty table, and an error
// with reason "api-keys.deleted" for the log).
//
// Thread-safety: ApiKeyTable is immutable. ApiKeyFile::table() may be called from any thread while one
// thread calls ReloadIfChanged().
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigie::serve {

struct ApiKey {
  std::optional<uint32_t> per_minute;       // requests; nullopt: unlimited
  std::optional<uint32_t> oprf_per_minute;  // OPRF evaluations; nullopt: unlimited
  std::string id;  // non-secret label for rate buckets: "key:" + 16 hex digits of the key's SHA-256
};

class ApiKeyTable {
 public:
  static Result<ApiKeyTable> Parse(std::string_view text);
  // The key's entry, or nullptr for an unknown key.
  const ApiKey* Find(std::string_view key) const;
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::array<uint8_t, 32>, ApiKey> keys_;
};

class ApiKeyFile {
 public:
  explicit ApiKeyFile(std::string path) : path_(std::move(path)) {}
  // First read: an error is fatal to the caller.
  Status Load();
  // Re-reads when the file changed. Returns an error (and keeps the old table) when it no longer parses.
  Status ReloadIfChanged(bool* reloaded);
  std::shared_ptr<const ApiKeyTable> table() const { return table_.load(); }

 private:
  Status Read(std::string* fingerprint);
  std::string path_;
  std::string fingerprint_;
  std::atomic<std::shared_ptr<const ApiKeyTable>> table_;
};

}  // namespace vigie::serve
