// Filesystem identity and capacity: fsid and first device from the btrfs ioctls, sizes
// from statvfs (what df shows, so free space matches operators' expectations).
#include <linux/btrfs.h>
#include <sys/ioctl.h>
#include <sys/statvfs.h>

#include <cstring>

#include "btrfs_fd.h"
#include "btrfs_ops.h"

namespace snapfleet {
namespace {

// Device ids can have holes (removed devices), so probe 1..max_id and skip ENODEV.
OsError FirstDevicePath(int fd, uint64_t max_id, const std::string& path, std::string* out) {
  for (uint64_t devid = 1; devid <= max_id; devid++) {
    btrfs_ioctl_dev_info_args dev{};
    dev.devid = devid;
    if (ioctl(fd, BTRFS_IOC_DEV_INFO, &dev) == -1) {
      if (errno == ENODEV) continue;
      return OsError::FromErrno("BTRFS_IOC_DEV_INFO", path);
    }
    const char* name = reinterpret_cast<const char*>(dev.path);
    *out = std::string(name, strnlen(name, sizeof dev.path));
    return OsError::Ok();
  }
  return OsError::Of(ENODEV, "BTRFS_IOC_DEV_INFO", path);
}

}  // namespace

OsError GetFilesystemInfo(const std::string& path, FilesystemInfo* out) {
  UniqueFd fd;
  if (OsError e = OpenDirectory(path, path, &fd); e.failed()) return e;
  if (OsError e = RequireBtrfs(fd.get(), path); e.failed()) return e;
  btrfs_ioctl_fs_info_args fs{};
  if (OsError e = Ioctl(fd.get(), BTRFS_IOC_FS_INFO, &fs, "BTRFS_IOC_FS_INFO", path);
      e.failed()) {
    return e;
  }
  memcpy(out->fsid, fs.fsid, sizeof out->fsid);
  if (OsError e = FirstDevicePath(fd.get(), fs.max_id, path, &out->device); e.failed()) return e;
  struct statvfs vfs;
  if (fstatvfs(fd.get(), &vfs) != 0) return OsError::FromErrno("fstatvfs", path);
  out->size = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
  out->free = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  return OsError::Ok();
}

}  // namespace snapfleet
