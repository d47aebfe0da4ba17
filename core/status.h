// Status and Result<T>: the one error vocabulary of Vigie.
//
// A Status is either OK or carries a Code, a short stable `reason` slug (a string literal such as
// "nir.key", used to count rejects and in machine-readable output) and a human message. "Not found" is a
// Code like any other: callers test it, nothing throws. Programs map a Status to an exit code or an HTTP
// status only at their edges (see ExitCodeFor / HttpStatusFor).
//
// Thread-safety: a Status or Result is a value; distinct objects may be used from distinct threads.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vigie {

enum class Code {
  kOk = 0,
  kNotFound,
  kInvalidArgument,  // bad input from a user or a dump line
  kAlreadyExists,
  kFailedPrecondition,  // the request is valid but the index is not in a state that allows it
  kCorruption,          // stored bytes do not decode
  kIOError,
  kBusy,  // another process holds the index
  kInternal,
};

std::string_view CodeName(Code code);

class Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status NotFound(std::string message, std::string_view reason = "not-found") {
    return Status(Code::kNotFound, reason, std::move(message));
  }
  static Status InvalidArgument(std::string_view reason, std::string message) {
    return Status(Code::kInvalidArgument, reason, std::move(message));
  }
  static Status AlreadyExists(std::string message) {
    return Status(Code::kAlreadyExists, "already-exists", std::move(message));
  }
  static Status FailedPrecondition(std::string message, std::string_view reason = "failed-precondition") {
    return Status(Code::kFailedPrecondition, reason, std::move(message));
  }
  static Status Corruption(std::string message) { return Status(Code::kCorruption, "corruption", std::move(message)); }
  static Status IOError(std::string message) { return Status(Code::kIOError, "io-error", std::move(message)); }
  static Status Busy(std::string message) { return Status(Code::kBusy, "busy", std::move(message)); }
  static Status Internal(std::string message) { return Status(Code::kInternal, "internal", std::move(message)); }

  Status(Code code, std::string_view reason, std::string message)
      : code_(code), reason_(reason), message_(std::move(message)) {}

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  Code code() const { return code_; }
  // Stable slug; must point to static storage (a string literal).
  std::string_view reason() const { return reason_; }
  const std::string& message() const { return message_; }
  // "invalid-argument: <message>" style text for humans.
  std::string ToString() const;

  // Prefixes the message with context ("reading dump.csv: ...").
  Status WithContext(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  std::string_view reason_;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}                                              // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

// Process exit code for a failed command: 2 for usage/input errors, 3 for a busy index, 4 for corruption,
// 1 otherwise. (Look-up commands use their own grep-like convention on top of this.)
int ExitCodeFor(const Status& status);
// HTTP status for a failed request.
int HttpStatusFor(const Status& status);

}  // namespace vigie

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define VIGIE_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::vigie::Status vigie_status_ = (expr);        \
    if (!vigie_status_.ok()) return vigie_status_; \
  } while (0)
