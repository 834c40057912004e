// Splitting a subvolume path into the parent directory (the ioctl's fd) and the new or
// doomed entry's name (the ioctl's argument), with the length rules the kernel applies.
#pragma once

#include <string>

#include "os_error.h"

namespace snapfleet {

struct ParentAndName {
  std::string parent;
  std::string name;
};

// ENAMETOOLONG when the whole path cannot be opened (PATH_MAX, NUL included).
OsError CheckPathLength(const std::string& path);

// EINVAL for "/", "." and ".." (no entry to create or remove); ENAMETOOLONG for a name
// longer than NAME_MAX or than `max_name` (the ioctl's name buffer).
OsError SplitSubvolumePath(const std::string& path, size_t max_name, ParentAndName* out);

}  // namespace snapfleet
