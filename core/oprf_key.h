// The oprf-p256 server key on disk.
//
// Format (text, ASCII, exactly two lines):
//   vigie-oprf-p256-key v1
//   <64 lower-case hex digits: skS, 32-byte big-endian scalar in [1, n)>
// The file is created with mode 0600 and O_EXCL (never overwritten); LoadKeyFile refuses a file that the
// group or others may read, a symlink, a non-regular file and any other content. The public key and its
// fingerprint are derived, never stored, so they cannot disagree with the secret.
//
// Reasons: "oprf.key-file" (malformed content), "oprf.key-permissions" (readable by group/others),
// AlreadyExists when writing over a file, IOError for the file system.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <string>

#include "core/oprf.h"
#include "core/status.h"

namespace vigie::oprf {

inline constexpr char kKeyFileHeader[] = "vigie-oprf-p256-key v1";

// Generates a random key and writes it to a new file at `path`; returns the key.
Result<OprfKey> WriteNewKeyFile(const std::string& path);
// Writes `key` to a new file at `path` (O_EXCL, 0600). A missing folder is created, mode 0700 (the
// folder of a secret: e.g. /etc/vigie).
Status WriteKeyFile(const std::string& path, const OprfKey& key);
Result<OprfKey> LoadKeyFile(const std::string& path);

// The file's content for a key (exposed for tests).
std::string FormatKeyFile(const OprfKey& key);

// First 16 hex digits of SHA-256 of the 33-byte compressed public key: short enough to print and compare,
// what an index records next to the full public key.
std::string PublicKeyFingerprint(const Element& public_key);
// Lower-case hex of the compressed public key (66 digits).
std::string PublicKeyHex(const Element& public_key);

}  // namespace vigie::oprf
