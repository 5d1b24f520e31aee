// The runtime core's one error type. Status carries a code from the C API's
// npujar_error_code (so the C boundary converts without a table) and a
// message naming the value involved; Result<T> holds either a value or a
// Status. Errors from other layers (format::FormatError, llvm::Error) are
// converted where the core calls into them.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "npujar_runtime.h"

namespace npujar::runtime {

using ErrorCode = npujar_error_code;

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  bool is_ok() const { return code_ == NPUJAR_OK; }
  explicit operator bool() const { return is_ok(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes the message with context from a caller, e.g. "variant 'v3': ".
  Status with_context(const std::string& context) const {
    return Status(code_, context + ": " + message_);
  }

 private:
  ErrorCode code_ = NPUJAR_OK;
  std::string message_;
};

inline Status invalid_argument(std::string message) {
  return Status(NPUJAR_ERROR_INVALID_ARGUMENT, std::move(message));
}
inline Status internal_error(std::string message) {
  return Status(NPUJAR_ERROR_INTERNAL, std::move(message));
}

// Either a T or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Status status) : state_(std::move(status)) {
    assert(!std::get<Status>(state_).is_ok() && "a Result needs a value or an error");
  }

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return is_ok(); }

  const Status& status() const {
    static const Status kOk;
    return is_ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

// Name of an error code as the docs and CLI show it, e.g. "shape_mismatch".
const char* error_code_name(ErrorCode code);

}  // namespace npujar::runtime
