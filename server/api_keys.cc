#include "server/api_keys.h"

#include "core/codec.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>

namespace vigie::serve {

namespace {

std::array<uint8_t, 32> Digest(std::string_view key) {
  std::array<uint8_t, 32> d{};
  unsigned int n = 0;
  EVP_Digest(key.data(), key.size(), d.data(), &n, EVP_sha256(), nullptr);
  return d;
}

bool IsKeyChar(char c) { return c > ' ' && c < 0x7f; }

}  // namespace

Result<ApiKeyTable> ApiKeyTable::Parse(std::string_view text) {
  ApiKeyTable table;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (const size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::string_view fields[4];
    int n = 0;
    for (size_t i = 0; i < line.size();) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      const size_t start = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
      if (i > start) {
        if (n == 4) break;
        fields[n++] = line.substr(start, i - start);
      }
    }
    if (n == 0) continue;
    const std::string where = "API keys file, line " + std::to_string(line_no) + ": ";
    if (n > 3) {
      return Status::InvalidArgument("api-keys.line",
                                     where + "expected KEY [requests-per-minute [evaluations-per-minute]]");
    }
    if (fields[0].size() < 16 || fields[0].size() > 256) {
      return Status::InvalidArgument("api-keys.key", where + "a key is 16 to 256 characters");
    }
    for (char c : fields[0]) {
      if (!IsKeyChar(c)) return Status::InvalidArgument("api-keys.key", where + "a key is printable ASCII");
    }
    ApiKey key;
    const std::array<uint8_t, 32> digest = Digest(fields[0]);
    // The rate buckets follow the key, not its line: editing the file keeps every key's state.
    key.id = "key:" + HexEncode(digest.data(), 8);
    // A positive integer, or "-" for unlimited.
    auto limit = [&](std::string_view field, const char* what, std::optional<uint32_t>* out) -> Status {
      if (field == "-") return Status::Ok();
      uint32_t v = 0;
      auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
      if (ec != std::errc() || ptr != field.data() + field.size() || v == 0) {
        return Status::InvalidArgument("api-keys.limit", where + what + " must be a positive integer or -");
      }
      *out = v;
      return Status::Ok();
    };
    if (n >= 2) VIGIE_RETURN_IF_ERROR(limit(fields[1], "requests-per-minute", &key.per_minute));
    key.oprf_per_minute = key.per_minute;
    if (n == 3) {
      key.oprf_per_minute.reset();
      VIGIE_RETURN_IF_ERROR(limit(fields[2], "evaluations-per-minute", &key.oprf_per_minute));
    }
    if (!table.keys_.emplace(digest, std::move(key)).second) {
      return Status::InvalidArgument("api-keys.duplicate", where + "this key is already listed on another line");
    }
  }
  return table;
}

const ApiKey* ApiKeyTable::Find(std::string_view key) const {
  auto it = keys_.find(Digest(key));
  return it == keys_.end() ? nullptr : &it->second;
}

Status ApiKeyFile::Read(std::string* fingerprint) {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    const bool gone = errno == ENOENT;
    *fingerprint = gone ? "deleted" : "unreadable";
    if (gone && table_.load() != nullptr) {
      // Deleting the file revokes every key: keeping the old ones would leave a revoked key working.
      table_.store(std::make_shared<const ApiKeyTable>());
      return Status::NotFound("the API keys file " + path_ + " was deleted: no API key is accepted now",
                              "api-keys.deleted");
    }
    return Status::IOError("cannot read the API keys file " + path_);
  }
  *fingerprint = std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
                 std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  if (*fingerprint == fingerprint_) return Status::Ok();
  std::ifstream in(path_, std::ios::binary);
  if (!in) return Status::IOError("cannot read the API keys file " + path_);
  std::ostringstream text;
  text << in.rdbuf();
  auto table = ApiKeyTable::Parse(text.str());
  if (!table.ok()) return table.status();
  table_.store(std::make_shared<const ApiKeyTable>(std::move(*table)));
  return Status::Ok();
}

Status ApiKeyFile::Load() {
  std::string fingerprint;
  VIGIE_RETURN_IF_ERROR(Read(&fingerprint));
  fingerprint_ = fingerprint;
  return Status::Ok();
}

Status ApiKeyFile::ReloadIfChanged(bool* reloaded) {
  *reloaded = false;
  std::string fingerprint;
  Status s = Read(&fingerprint);
  if (!s.ok()) {
    fingerprint_ = fingerprint;  // report a broken file once, not every second
    return s;
  }
  *reloaded = fingerprint != fingerprint_;
  fingerprint_ = fingerprint;
  return Status::Ok();
}

}  // namespace vigie::serve
