// Status and Result: codes map to exit codes and HTTP statuses at the edges (one table each), context is
// prefixed without losing the code or reason, and a Result holds a value or an error, never both.
#include "core/status.h"

#include <doctest/doctest.h>

namespace vigie {
namespace {

TEST_CASE("status codes at the edges: exit codes and HTTP statuses") {
  struct Case {
    Status status;
    int exit_code;
    int http;
  };
  const Case cases[] = {
      {Status::Ok(), 0, 200},
      {Status::NotFound("x"), 2, 404},
      {Status::InvalidArgument("range.prefix", "x"), 2, 400},
      {Status::AlreadyExists("x"), 2, 409},
      {Status::FailedPrecondition("x"), 2, 409},
      {Status::Busy("x"), 3, 503},
      {Status::Corruption("x"), 4, 500},
      {Status::IOError("x"), 1, 500},
      {Status::Internal("x"), 1, 500},
  };
  for (const Case& c : cases) {
    CAPTURE(CodeName(c.status.code()));
    CHECK(ExitCodeFor(c.status) == c.exit_code);
    CHECK(HttpStatusFor(c.status) == c.http);
  }
}

TEST_CASE("status context and results") {
  const Status s = Status::InvalidArgument("nir.checksum", "the control key does not match").WithContext("line 7");
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.reason() == "nir.checksum");
  CHECK(s.message() == "line 7: the control key does not match");
  CHECK(s.ToString().find("line 7: the control key does not match") != std::string::npos);
  CHECK(Status::NotFound("gone").reason() == "not-found");

  Result<int> value = 42;
  CHECK(value.ok());
  CHECK(*value == 42);
  CHECK(value.status().ok());
  Result<int> error = Status::Busy("held");
  CHECK_FALSE(error.ok());
  CHECK(error.status().code() == Code::kBusy);
}

}  // namespace
}  // namespace vigie
