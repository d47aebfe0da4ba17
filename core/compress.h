// One-shot compression of a whole buffer into one self-contained gzip member (RFC 1952, deterministic: no
// time, no name) or zstd frame: the bulk check's output blocks (core/bulk_files.h) and vigie-serve's gzip
// bodies. Concatenated members or frames are a valid stream. (Streams written piece by piece use
// OutputFile, core/output_file.h.)
//
// Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "core/output_file.h"
#include "core/status.h"

namespace vigie {

// *out = the compressed form of `plain` (level: zlib's 1-9, zstd's 1-19). kNone copies.
Status CompressFrame(OutputCompression compression, std::string_view plain, int level, std::string* out);

}  // namespace vigie
