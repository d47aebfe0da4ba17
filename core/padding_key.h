// The padding key of a padded index (IndexMeta::pad_responses): the secret from which pad rows are derived
// (core/codec.h RangePadding), shared by every server and export of the index so that they answer byte for
// byte alike. It lives with the index: INDEX/padding.key, written by Index::Create for a padded index
// (0600, 64 random hex digits, never overwritten). The key is the SHA-256 of the file's bytes, so any
// secret file works as --padding-key.
//
// Bad key files are errors that name the file: unreadable, empty, or readable by group or others.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/status.h"

namespace vigie {

using PaddingKey = std::array<uint8_t, 32>;

// INDEX/padding.key
std::string DefaultPaddingKeyPath(const std::string& index_dir);

// Writes a new random key file at `path` (0600). AlreadyExists when a file is there: never overwritten.
Status CreatePaddingKeyFile(const std::string& path);

// The key of the file at `path`.
Result<PaddingKey> LoadPaddingKey(const std::string& path);

// The key servers and exports of `index_dir` use: `explicit_path` when given, else INDEX/padding.key.
// NotFound (reason "padding.key-missing", saying how to make one) when neither exists.
Result<PaddingKey> ResolvePaddingKey(const std::string& index_dir, const std::string& explicit_path);

// A random key for this process only (vigie-serve --ephemeral-padding-key).
PaddingKey EphemeralPaddingKey();

}  // namespace vigie
