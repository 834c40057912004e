// Failure of one system call, carried as a value from the libuv worker thread (where no JS
// may run and C++ exceptions are off) back to the main thread, which turns it into a JS
// Error. err == 0 means success.
#pragma once

#include <cerrno>
#include <string>

namespace snapfleet {

struct OsError {
  int err = 0;
  const char* syscall = "";
  // The caller's path this failure is about (not an internal parent-dir path), so the JS
  // error names something the caller recognises.
  std::string path;

  bool failed() const { return err != 0; }

  static OsError Ok() { return {}; }
  static OsError Of(int err, const char* syscall, const std::string& path) {
    return OsError{err, syscall, path};
  }
  // Reads errno: call it right after the failing syscall.
  static OsError FromErrno(const char* syscall, const std::string& path) {
    return OsError{errno, syscall, path};
  }
};

// Symbolic name ("ENOENT") of an errno value, independent of strerror and locale.
const char* ErrnoName(int err);

}  // namespace snapfleet
