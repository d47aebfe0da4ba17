#include "core/status.h"

namespace vigie {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kNotFound:
      return "not-found";
    case Code::kInvalidArgument:
      return "invalid-argument";
    case Code::kAlreadyExists:
      return "already-exists";
    case Code::kFailedPrecondition:
      return "failed-precondition";
    case Code::kCorruption:
      return "corruption";
    case Code::kIOError:
      return "io-error";
    case Code::kBusy:
      return "busy";
    case Code::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(CodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string message(context);
  message += ": ";
  message += message_;
  return Status(code_, reason_, std::move(message));
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Code::kOk:
      return 0;
    case Code::kInvalidArgument:
    case Code::kNotFound:
    case Code::kAlreadyExists:
    case Code::kFailedPrecondition:
      return 2;
    case Code::kBusy:
      return 3;
    case Code::kCorruption:
      return 4;
    default:
      return 1;
  }
}

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case Code::kOk:
      return 200;
    case Code::kNotFound:
      return 404;
    case Code::kInvalidArgument:
      return 400;
    case Code::kAlreadyExists:
      return 409;
    case Code::kFailedPrecondition:
      return 409;
    case Code::kBusy:
      return 503;
    default:
      return 500;
  }
}

}  // namespace vigie
