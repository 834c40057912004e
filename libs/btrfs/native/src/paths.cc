// Path splitting for the create/snapshot/delete ioctls, which take "parent fd + name".
#include "paths.h"

#include <climits>

namespace snapfleet {

OsError CheckPathLength(const std::string& path) {
  if (path.size() >= PATH_MAX) return OsError::Of(ENAMETOOLONG, "open", path);
  return OsError::Ok();
}

OsError SplitSubvolumePath(const std::string& path, size_t max_name, ParentAndName* out) {
  if (OsError e = CheckPathLength(path); e.failed()) return e;
  // Trailing slashes name the same entry ("a/b/" is "a/b").
  size_t end = path.find_last_not_of('/');
  if (end == std::string::npos) return OsError::Of(EINVAL, "path", path);
  size_t slash = path.rfind('/', end);
  std::string name = path.substr(slash == std::string::npos ? 0 : slash + 1,
                                 slash == std::string::npos ? end + 1 : end - slash);
  if (name == "." || name == "..") return OsError::Of(EINVAL, "path", path);
  // No directory entry can exceed NAME_MAX, whatever room the ioctl struct has.
  if (name.size() > NAME_MAX || name.size() > max_name) {
    return OsError::Of(ENAMETOOLONG, "path", path);
  }
  std::string parent;
  if (slash == std::string::npos) {
    parent = ".";
  } else {
    size_t parent_end = path.find_last_not_of('/', slash);
    parent = parent_end == std::string::npos ? "/" : path.substr(0, parent_end + 1);
  }
  out->parent = std::move(parent);
  out->name = std::move(name);
  return OsError::Ok();
}

}  // namespace snapfleet
