// Opening the directories btrfs ioctls are issued on, with the checks that make sure a
// btrfs ioctl number is never sent to another filesystem's directory (ioctl numbers are
// only unique per driver) and that "is a subvolume" is decided the way btrfs-progs does.
#pragma once

#include <string>

#include "os_error.h"
#include "unique_fd.h"

namespace snapfleet {

// open(path, O_RDONLY|O_DIRECTORY); errors are reported against `report_path`.
OsError OpenDirectory(const std::string& path, const std::string& report_path, UniqueFd* out);

// ENOTTY (what the ioctl itself would answer) unless fd lives on btrfs.
OsError RequireBtrfs(int fd, const std::string& report_path);

// RequireBtrfs, then EINVAL unless fd is a subvolume root (inode 256 on btrfs).
OsError RequireSubvolumeRoot(int fd, const std::string& report_path);

// OpenDirectory + RequireSubvolumeRoot.
OsError OpenSubvolume(const std::string& path, UniqueFd* out);

// Fails only on -1. No retry on EINTR: btrfs ioctls are not all idempotent.
OsError Ioctl(int fd, unsigned long request, void* arg, const char* name,
              const std::string& report_path);

}  // namespace snapfleet
