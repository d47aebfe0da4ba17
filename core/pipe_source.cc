#include "core/pipe_source.h"

#include <algorithm>
#include <cstring>

namespace vigie {

class PipeSource::Sink : public ByteSink {
 public:
  explicit Sink(PipeSource* pipe) : pipe_(pipe) {}
  Status Write(std::string_view bytes) override { return pipe_->Push(bytes); }

 private:
  PipeSource* pipe_;
};

PipeSource::PipeSource(Producer producer, const ByteSource* raw_source) : raw_source_(raw_source) {
  thread_ = std::thread([this, producer = std::move(producer)] {
    Sink sink(this);
    Status status = producer(&sink);
    std::lock_guard lock(mu_);
    result_ = status;
    done_ = true;
    changed_.notify_all();
  });
}

PipeSource::~PipeSource() {
  {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    changed_.notify_all();
  }
  thread_.join();
}

Status PipeSource::Push(std::string_view bytes) {
  if (bytes.empty()) return Status::Ok();
  const uint64_t raw = raw_source_ ? raw_source_->raw_bytes_read() : 0;
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return queued_bytes_ < kMaxQueuedBytes || cancelled_; });
  if (cancelled_) return Status::FailedPrecondition("the reader stopped", "cancelled");
  blocks_.emplace_back(bytes);
  queued_bytes_ += bytes.size();
  raw_bytes_ = raw;
  changed_.notify_all();
  return Status::Ok();
}

Result<size_t> PipeSource::Read(char* buf, size_t cap) {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return !blocks_.empty() || done_; });
  if (blocks_.empty()) {
    if (!result_.ok()) return result_;
    return size_t{0};
  }
  std::string& front = blocks_.front();
  const size_t n = std::min(cap, front.size() - front_pos_);
  std::memcpy(buf, front.data() + front_pos_, n);
  front_pos_ += n;
  if (front_pos_ == front.size()) {
    queued_bytes_ -= front.size();
    blocks_.pop_front();
    front_pos_ = 0;
    changed_.notify_all();
  }
  return n;
}

uint64_t PipeSource::raw_bytes_read() const {
  std::lock_guard lock(mu_);
  return raw_bytes_;
}

}  // namespace vigie
