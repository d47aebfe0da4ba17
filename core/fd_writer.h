// The one way Vigie writes bytes to a file descriptor: all of them, retrying short writes and EINTR, and
// an error that names the file and the cause ("No space left on device" on a full disk). Callers decide
// what to do with the descriptor on failure (close it, remove a temporary file).
//
// Thread-safety: a free function; concurrent calls on one descriptor interleave as write(2) does.
#pragma once

#include <string_view>

#include "core/status.h"

namespace vigie {

// Writes every byte of `bytes` to `fd`. IOError "cannot write WHAT: <strerror>" on failure; the descriptor
// may then hold a prefix of `bytes`.
Status WriteAllToFd(int fd, std::string_view bytes, std::string_view what);

}  // namespace vigie
