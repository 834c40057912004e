// Directory opening and filesystem checks shared by every operation.
#include "btrfs_fd.h"

#include <fcntl.h>
#include <linux/btrfs_tree.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "paths.h"

namespace snapfleet {

OsError OpenDirectory(const std::string& path, const std::string& report_path, UniqueFd* out) {
  if (OsError e = CheckPathLength(path); e.failed()) return e;
  int fd;
  do {
    fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return OsError::FromErrno("open", report_path);
  out->Reset(fd);
  return OsError::Ok();
}

OsError RequireBtrfs(int fd, const std::string& report_path) {
  struct statfs fs;
  if (fstatfs(fd, &fs) != 0) return OsError::FromErrno("fstatfs", report_path);
  if (static_cast<unsigned long>(fs.f_type) != BTRFS_SUPER_MAGIC) {
    return OsError::Of(ENOTTY, "fstatfs", report_path);
  }
  return OsError::Ok();
}

OsError RequireSubvolumeRoot(int fd, const std::string& report_path) {
  if (OsError e = RequireBtrfs(fd, report_path); e.failed()) return e;
  struct stat st;
  if (fstat(fd, &st) != 0) return OsError::FromErrno("fstat", report_path);
  if (st.st_ino != BTRFS_FIRST_FREE_OBJECTID) return OsError::Of(EINVAL, "fstat", report_path);
  return OsError::Ok();
}

OsError OpenSubvolume(const std::string& path, UniqueFd* out) {
  if (OsError e = OpenDirectory(path, path, out); e.failed()) return e;
  return RequireSubvolumeRoot(out->get(), path);
}

OsError Ioctl(int fd, unsigned long request, void* arg, const char* name,
              const std::string& report_path) {
  // Only -1 is failure: some btrfs ioctls return a positive value on success
  // (GET_SUBVOL_INFO can return 1), and errno is then stale.
  if (ioctl(fd, request, arg) == -1) return OsError::FromErrno(name, report_path);
  return OsError::Ok();
}

}  // namespace snapfleet
