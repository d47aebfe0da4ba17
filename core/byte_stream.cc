#include "core/byte_stream.h"

#include <algorithm>
#include <cstring>

namespace vigie {

Result<size_t> StringSource::Read(char* buf, size_t cap) {
  const size_t n = std::min({cap, bytes_.size(), max_read_});
  std::memcpy(buf, bytes_.data(), n);
  bytes_.remove_prefix(n);
  return n;
}

size_t TakeBuffered(const std::string& buffered, size_t* pos, char* buf, size_t cap) {
  const size_t n = std::min(cap, buffered.size() - *pos);
  std::memcpy(buf, buffered.data() + *pos, n);
  *pos += n;
  return n;
}

Status ReadAll(ByteSource* source, std::string* out, size_t limit) {
  char buf[1 << 14];
  for (;;) {
    auto n = source->Read(buf, sizeof buf);
    if (!n.ok()) return n.status();
    if (*n == 0) return Status::Ok();
    if (out->size() + *n > limit) return Status::InvalidArgument("input.too-large", "more than the limit");
    out->append(buf, *n);
  }
}

}  // namespace vigie
