#include "core/pipe_source.h"

#include <doctest/doctest.h>

#include <string>

namespace vigie {
namespace {

TEST_CASE("PipeSource hands over every byte, then the producer's status") {
  PipeSource ok(
      [](ByteSink* sink) {
        for (int i = 0; i < 20000; ++i) VIGIE_RETURN_IF_ERROR(sink->Write(std::to_string(i) + "\n"));
        return Status::Ok();
      },
      nullptr);
  std::string out;
  REQUIRE(ReadAll(&ok, &out).ok());
  std::string expected;
  for (int i = 0; i < 20000; ++i) expected += std::to_string(i) + "\n";
  CHECK(out == expected);

  PipeSource failing(
      [](ByteSink* sink) {
        VIGIE_RETURN_IF_ERROR(sink->Write("partial"));
        return Status::InvalidArgument("sql.truncated", "cut");
      },
      nullptr);
  std::string got;
  Status s = ReadAll(&failing, &got);
  CHECK(got == "partial");  // what came before the error
  CHECK(s.reason() == "sql.truncated");
}

TEST_CASE("PipeSource: a reader that stops early does not leave the producer blocked") {
  bool cancelled = false;
  {
    PipeSource pipe(
        [&](ByteSink* sink) {
          const std::string block(1 << 20, 'x');
          for (;;) {
            Status s = sink->Write(block);
            if (!s.ok()) {
              cancelled = s.reason() == "cancelled";
              return s;
            }
          }
        },
        nullptr);
    char buf[16];
    REQUIRE(pipe.Read(buf, sizeof buf).ok());
  }  // the destructor cancels and joins
  CHECK(cancelled);
}

}  // namespace
}  // namespace vigie
