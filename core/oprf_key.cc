#include "core/oprf_key.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "core/codec.h"
#include "core/fd_writer.h"

namespace vigie::oprf {
namespace {

Status FileError(std::string message) { return Status::InvalidArgument("oprf.key-file", std::move(message)); }

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

// The key's folder when it does not exist yet: created with every missing parent, the folders made here
// 0700 (existing ones are left as they are).
Status CreateKeyFolder(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path folder = fs::path(path).parent_path();
  std::error_code ec;
  if (folder.empty() || fs::exists(folder, ec)) return Status::Ok();
  std::vector<fs::path> missing;
  for (fs::path p = folder; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST)
      return Errno("cannot create the key's folder", it->string());
  }
  return Status::Ok();
}

}  // namespace

std::string FormatKeyFile(const OprfKey& key) {
  std::string out = kKeyFileHeader;
  out += '\n';
  out += HexEncode(key.secret().data(), key.secret().size());
  out += '\n';
  return out;
}

std::string PublicKeyHex(const Element& public_key) { return HexEncode(public_key.data(), public_key.size()); }

std::string PublicKeyFingerprint(const Element& public_key) {
  uint8_t digest[32];
  SHA256(public_key.data(), public_key.size(), digest);
  return HexEncode(digest, 8);
}

Status WriteKeyFile(const std::string& path, const OprfKey& key) {
  VIGIE_RETURN_IF_ERROR(CreateKeyFolder(path));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Status::AlreadyExists(path + " already exists; a key file is never overwritten (move it away first)");
    }
    return Errno("cannot create", path);
  }
  std::string content = FormatKeyFile(key);
  Status st;
  // The umask can only remove bits; make the mode exactly 0600 whatever it is.
  if (::fchmod(fd, 0600) != 0) st = Errno("cannot chmod", path);
  if (st.ok()) st = WriteAllToFd(fd, content, path);
  if (st.ok() && ::fsync(fd) != 0) st = Errno("cannot sync", path);
  OPENSSL_cleanse(content.data(), content.size());
  if (::close(fd) != 0 && st.ok()) st = Errno("cannot close", path);
  if (!st.ok()) ::unlink(path.c_str());
  return st;
}

Result<OprfKey> WriteNewKeyFile(const std::string& path) {
  Result<OprfKey> key = OprfKey::Generate();
  if (!key.ok()) return key.status();
  VIGIE_RETURN_IF_ERROR(WriteKeyFile(path, *key));
  return key;
}

Result<OprfKey> LoadKeyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no key file at " + path, "oprf.key-missing");
    if (errno == ELOOP) return FileError(path + " is a symbolic link; point --key at the key file itself");
    return Errno("cannot open", path);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = Errno("cannot stat", path);
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return FileError(path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::FailedPrecondition(path + " has mode " + mode +
                                          ": the OPRF key must not be readable by group or others "
                                          "(chmod 600 " +
                                          path + ")",
                                      "oprf.key-permissions");
  }
  char buf[256];
  size_t size = 0;
  while (size < sizeof buf) {
    ssize_t r = ::read(fd, buf + size, sizeof buf - size);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      Status s = Errno("cannot read", path);
      ::close(fd);
      return s;
    }
    if (r == 0) break;
    size += static_cast<size_t>(r);
  }
  ::close(fd);
  std::string_view content(buf, size);
  const std::string_view header = kKeyFileHeader;
  Result<OprfKey> result = FileError(path + " is not an oprf-p256 key file (expected the line \"" +
                                     std::string(header) + "\" then 64 hex digits)");
  Scalar sk{};
  if (size < sizeof buf && content.size() == header.size() + 1 + 64 + 1 && content.substr(0, header.size()) == header &&
      content[header.size()] == '\n' && content.back() == '\n') {
    std::string_view hex = content.substr(header.size() + 1, 64);
    bool lower = true;
    for (char ch : hex) lower = lower && ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
    if (lower && HexDecode(hex, sk.data())) {
      result = OprfKey::FromScalar(sk);
      if (!result.ok())
        result = FileError(path + ": the key is not a valid scalar (zero or not below the group order)");
    }
  }
  OPENSSL_cleanse(buf, sizeof buf);
  OPENSSL_cleanse(sk.data(), sk.size());
  return result;
}

}  // namespace vigie::oprf
