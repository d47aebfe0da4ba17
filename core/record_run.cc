#include "core/record_run.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/fd_writer.h"

namespace vigie {

namespace {

// Orders whole records as big-endian words. Bytes past the key (count, zero padding) only order records
// whose keys are equal, which keeps equal identifiers adjacent — all the merge needs.
template <size_t R>
bool RecordLess(const uint8_t* a, const uint8_t* b) {
  static_assert(R % 4 == 0);
  for (size_t i = 0; i + 8 <= R; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y);
  }
  if constexpr (R % 8 == 4) {
    uint32_t x, y;
    std::memcpy(&x, a + R - 4, 4);
    std::memcpy(&y, b + R - 4, 4);
    return __builtin_bswap32(x) < __builtin_bswap32(y);
  }
  return false;
}

template <size_t R>
void SortRecords(uint8_t* data, size_t n, size_t /*key_bytes*/) {
  struct Rec {
    uint8_t b[R];
  };
  Rec* recs = reinterpret_cast<Rec*>(data);
  std::sort(recs, recs + n, [](const Rec& a, const Rec& b) { return RecordLess<R>(a.b, b.b); });
}

}  // namespace

SortFn PickSort(size_t record_size) {
  switch (record_size) {
    case 8:
      return SortRecords<8>;
    case 12:
      return SortRecords<12>;
    case 16:
      return SortRecords<16>;
    case 20:
      return SortRecords<20>;
    case 24:
      return SortRecords<24>;
    case 28:
      return SortRecords<28>;
    case 32:
      return SortRecords<32>;
    case 36:
      return SortRecords<36>;
    case 40:
      return SortRecords<40>;
  }
  return nullptr;
}

Run& Run::operator=(Run&& o) noexcept {
  std::swap(offsets_, o.offsets_);
  std::swap(owned_, o.owned_);
  std::swap(map_, o.map_);
  std::swap(map_len_, o.map_len_);
  std::swap(data_, o.data_);
  return *this;
}

Run::~Run() {
  if (map_) munmap(map_, map_len_);
}

Run Run::FromBuffer(std::vector<uint8_t>* records, size_t size) {
  Run run;
  const size_t n = records->size() / size;
  run.offsets_.assign(kPartitions + 1, 0);
  for (size_t i = 0; i < n; ++i) run.offsets_[RecordLayout::PartitionOf(records->data() + i * size) + 1]++;
  for (uint32_t p = 0; p < kPartitions; ++p) run.offsets_[p + 1] += run.offsets_[p];
  std::vector<uint32_t> cursor(run.offsets_.begin(), run.offsets_.end() - 1);
  run.owned_.resize(records->size());
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* rec = records->data() + i * size;
    std::memcpy(run.owned_.data() + static_cast<size_t>(cursor[RecordLayout::PartitionOf(rec)]++) * size, rec, size);
  }
  records->clear();  // keep the capacity: the worker refills the same buffer after a spill
  run.data_ = run.owned_.data();
  return run;
}

Status Run::SpillTo(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create spill file " + path + ": " + std::strerror(errno));
  if (Status s = WriteAllToFd(fd, std::string_view(reinterpret_cast<const char*>(owned_.data()), owned_.size()),
                              "spill file " + path);
      !s.ok()) {
    ::close(fd);
    return s;
  }
  map_len_ = owned_.size();
  if (map_len_ > 0) {
    map_ = mmap(nullptr, map_len_, PROT_READ, MAP_SHARED, fd, 0);
    if (map_ == MAP_FAILED) {
      map_ = nullptr;
      ::close(fd);
      return Status::IOError("cannot map spill file " + path + ": " + std::strerror(errno));
    }
    madvise(map_, map_len_, MADV_SEQUENTIAL);
  }
  ::close(fd);
  std::vector<uint8_t>().swap(owned_);
  data_ = static_cast<const uint8_t*>(map_);
  return Status::Ok();
}

void Run::Release(uint32_t first, uint32_t last, size_t record_size) const {
  if (!map_) return;
  const size_t page = 4096;
  size_t from = (static_cast<size_t>(offsets_[first]) * record_size + page - 1) / page * page;
  size_t to = static_cast<size_t>(offsets_[last]) * record_size / page * page;
  if (to > from) madvise(static_cast<uint8_t*>(map_) + from, to - from, MADV_DONTNEED);
}

}  // namespace vigie
