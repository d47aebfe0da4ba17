// PipeSource: runs a push-style stage (a format reader that writes records as it parses: SQL, JSON, xlsx,
// free text) on its own thread and reads what it writes as a ByteSource, so that the stage overlaps with
// the line chunker and the taggers, and is written as straight-line code rather than a resumable parser.
//
// The producer gets a ByteSink; Write blocks while kMaxQueuedBytes are waiting (memory stays bounded) and
// fails with "cancelled" once the PipeSource is destroyed, so a reader that stops early (an error
// downstream) never leaves the thread blocked. The producer's final Status is what the last Read returns:
// an error surfaces after the bytes written before it (a truncated dump fails the load, it is never a short
// read passed off as the end).
//
// Thread-safety: Read, raw_bytes_read and the destructor are for one consumer thread; the sink is for the
// producer thread. The destructor joins the producer.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/byte_stream.h"
#include "core/status.h"

namespace vigie {

class PipeSource : public ByteSource {
 public:
  static constexpr size_t kMaxQueuedBytes = 8 << 20;

  // `raw_source` (may be null) is the stage's own input: its raw_bytes_read is sampled at each write for
  // progress, from the producer thread.
  using Producer = std::function<Status(ByteSink* sink)>;
  PipeSource(Producer producer, const ByteSource* raw_source);
  ~PipeSource() override;
  PipeSource(const PipeSource&) = delete;
  PipeSource& operator=(const PipeSource&) = delete;

  Result<size_t> Read(char* buf, size_t cap) override;
  uint64_t raw_bytes_read() const override;

 private:
  class Sink;
  Status Push(std::string_view bytes);

  const ByteSource* raw_source_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::string> blocks_;
  size_t queued_bytes_ = 0;
  size_t front_pos_ = 0;
  bool done_ = false;       // the producer returned
  bool cancelled_ = false;  // the consumer went away
  Status result_;
  uint64_t raw_bytes_ = 0;
  std::thread thread_;
};

}  // namespace vigie
