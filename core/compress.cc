#include "core/compress.h"

#include <zlib.h>
#include <zstd.h>

namespace vigie {

namespace {

Status GzipMember(std::string_view plain, int level, std::string* out) {
  z_stream zs{};
  // windowBits 15 + 16: the gzip wrapper; zlib writes a zero time and no name.
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("zlib: deflateInit2 failed");
  }
  out->resize(deflateBound(&zs, plain.size()) + 64);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  zs.avail_in = static_cast<uInt>(plain.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());
  const int rc = deflate(&zs, Z_FINISH);
  out->resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::Internal("zlib: deflate did not finish");
  return Status::Ok();
}

}  // namespace

Status CompressFrame(OutputCompression compression, std::string_view plain, int level, std::string* out) {
  switch (compression) {
    case OutputCompression::kNone:
      out->assign(plain);
      return Status::Ok();
    case OutputCompression::kGzip:
      return GzipMember(plain, level, out);
    case OutputCompression::kZstd: {
      out->resize(ZSTD_compressBound(plain.size()));
      const size_t n = ZSTD_compress(out->data(), out->size(), plain.data(), plain.size(), level);
      if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
      out->resize(n);
      return Status::Ok();
    }
  }
  return Status::Internal("unknown compression");
}

}  // namespace vigie
