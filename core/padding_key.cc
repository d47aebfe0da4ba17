#include "core/padding_key.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/codec.h"
#include "core/fd_writer.h"

namespace vigie {

std::string DefaultPaddingKeyPath(const std::string& index_dir) { return index_dir + "/padding.key"; }

Status CreatePaddingKeyFile(const std::string& path) {
  uint8_t secret[32];
  if (RAND_bytes(secret, sizeof secret) != 1) return Status::IOError("no randomness for the padding key");
  const std::string text = HexEncode(secret, sizeof secret) + "\n";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      return Status::AlreadyExists("the padding key file " + path + " exists: it is never overwritten");
    return Status::IOError("cannot create the padding key file " + path + ": " + std::strerror(errno));
  }
  Status s = WriteAllToFd(fd, text, path);
  if (s.ok() && ::fsync(fd) != 0) s = Status::IOError("cannot sync the padding key file " + path);
  ::close(fd);
  if (!s.ok()) ::unlink(path.c_str());
  return s;
}

Result<PaddingKey> LoadPaddingKey(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::InvalidArgument("padding.key",
                                   "cannot read the padding key file " + path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    return Status::InvalidArgument("padding.key", "the padding key file " + path +
                                                      " is readable by group or others: chmod 600 it (it is a secret)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("padding.key", "cannot read the padding key file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string secret = text.str();
  if (secret.empty()) return Status::InvalidArgument("padding.key", "the padding key file " + path + " is empty");
  PaddingKey key{};
  unsigned int n = 0;
  EVP_Digest(secret.data(), secret.size(), key.data(), &n, EVP_sha256(), nullptr);
  return key;
}

Result<PaddingKey> ResolvePaddingKey(const std::string& index_dir, const std::string& explicit_path) {
  if (!explicit_path.empty()) return LoadPaddingKey(explicit_path);
  const std::string path = DefaultPaddingKeyPath(index_dir);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
    return Status::NotFound("this index pads its responses but has no padding key (" + path +
                                "): make one with `vigie-index padding-key --index " + index_dir +
                                "`, copy the servers' key there, or pass --padding-key FILE",
                            "padding.key-missing");
  }
  return LoadPaddingKey(path);
}

PaddingKey EphemeralPaddingKey() {
  PaddingKey key{};
  RAND_bytes(key.data(), static_cast<int>(key.size()));
  return key;
}

}  // namespace vigie
