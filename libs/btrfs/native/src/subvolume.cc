// Subvolume lifecycle and flags: create, snapshot, delete, info, read-only flag.
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>

#include <sys/stat.h>

#include <cstring>

#include "btrfs_fd.h"
#include "btrfs_ops.h"
#include "paths.h"

namespace snapfleet {
namespace {

// Opens the directory that will hold (or holds) the entry `path` names.
OsError OpenParent(const std::string& path, size_t max_name, ParentAndName* split,
                   UniqueFd* out) {
  if (OsError e = SplitSubvolumePath(path, max_name, split); e.failed()) return e;
  if (OsError e = OpenDirectory(split->parent, path, out); e.failed()) return e;
  return RequireBtrfs(out->get(), path);
}

OsError InfoOf(int fd, const std::string& path, SubvolumeInfo* out) {
  btrfs_ioctl_get_subvol_info_args args{};
  if (OsError e = Ioctl(fd, BTRFS_IOC_GET_SUBVOL_INFO, &args, "BTRFS_IOC_GET_SUBVOL_INFO", path);
      e.failed()) {
    return e;
  }
  out->id = args.treeid;
  out->generation = args.generation;
  out->otransid = args.otransid;
  out->otime.sec = args.otime.sec;
  out->otime.nsec = args.otime.nsec;
  // `flags` is the on-disk root item's flags word, whose read-only bit is
  // BTRFS_ROOT_SUBVOL_RDONLY (bit 0), not the ioctl-level BTRFS_SUBVOL_RDONLY (bit 1).
  out->readonly = (args.flags & BTRFS_ROOT_SUBVOL_RDONLY) != 0;
  memcpy(out->uuid, args.uuid, sizeof out->uuid);
  memcpy(out->parent_uuid, args.parent_uuid, sizeof out->parent_uuid);
  return OsError::Ok();
}

// Opens a subvolume just made, applies `mode` to its root, and reads its info.
OsError DescribeNew(const std::string& path, int mode, SubvolumeInfo* out) {
  UniqueFd fd;
  if (OsError e = OpenSubvolume(path, &fd); e.failed()) return e;
  if (mode >= 0 && fchmod(fd.get(), static_cast<mode_t>(mode)) == -1) {
    return OsError::FromErrno("fchmod", path);
  }
  return InfoOf(fd.get(), path, out);
}

}  // namespace

OsError CreateSubvolume(const std::string& path, int mode, SubvolumeInfo* out) {
  ParentAndName split;
  UniqueFd parent;
  if (OsError e = OpenParent(path, BTRFS_PATH_NAME_MAX, &split, &parent); e.failed()) return e;
  btrfs_ioctl_vol_args args{};
  memcpy(args.name, split.name.data(), split.name.size());
  if (OsError e = Ioctl(parent.get(), BTRFS_IOC_SUBVOL_CREATE, &args, "BTRFS_IOC_SUBVOL_CREATE", path);
      e.failed()) {
    return e;
  }
  return DescribeNew(path, mode, out);
}

OsError Snapshot(const std::string& source, const std::string& target, bool readonly,
                 SubvolumeInfo* out) {
  UniqueFd src;
  // Checked here rather than left to the kernel so the error names the source path.
  if (OsError e = OpenSubvolume(source, &src); e.failed()) return e;
  ParentAndName split;
  UniqueFd parent;
  if (OsError e = OpenParent(target, BTRFS_SUBVOL_NAME_MAX, &split, &parent); e.failed()) {
    return e;
  }
  btrfs_ioctl_vol_args_v2 args{};
  args.fd = src.get();
  args.flags = readonly ? BTRFS_SUBVOL_RDONLY : 0;
  memcpy(args.name, split.name.data(), split.name.size());
  if (OsError e = Ioctl(parent.get(), BTRFS_IOC_SNAP_CREATE_V2, &args, "BTRFS_IOC_SNAP_CREATE_V2",
                        target);
      e.failed()) {
    return e;
  }
  return DescribeNew(target, -1, out);
}

OsError DeleteSubvolume(const std::string& path) {
  ParentAndName split;
  UniqueFd parent;
  if (OsError e = OpenParent(path, BTRFS_PATH_NAME_MAX, &split, &parent); e.failed()) return e;
  btrfs_ioctl_vol_args args{};
  memcpy(args.name, split.name.data(), split.name.size());
  return Ioctl(parent.get(), BTRFS_IOC_SNAP_DESTROY, &args, "BTRFS_IOC_SNAP_DESTROY", path);
}

OsError GetSubvolumeInfo(const std::string& path, SubvolumeInfo* out) {
  UniqueFd fd;
  if (OsError e = OpenSubvolume(path, &fd); e.failed()) return e;
  return InfoOf(fd.get(), path, out);
}

OsError SetReadOnly(const std::string& path, bool readonly) {
  UniqueFd fd;
  if (OsError e = OpenSubvolume(path, &fd); e.failed()) return e;
  __u64 flags = 0;
  if (OsError e = Ioctl(fd.get(), BTRFS_IOC_SUBVOL_GETFLAGS, &flags, "BTRFS_IOC_SUBVOL_GETFLAGS",
                        path);
      e.failed()) {
    return e;
  }
  __u64 wanted = readonly ? (flags | BTRFS_SUBVOL_RDONLY) : (flags & ~BTRFS_SUBVOL_RDONLY);
  // SETFLAGS commits a transaction; skip it when nothing changes.
  if (wanted == flags) return OsError::Ok();
  return Ioctl(fd.get(), BTRFS_IOC_SUBVOL_SETFLAGS, &wanted, "BTRFS_IOC_SUBVOL_SETFLAGS", path);
}

}  // namespace snapfleet
