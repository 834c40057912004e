// The blocking btrfs operations, plain C++ with no N-API: they run on libuv worker
// threads and report failure as an OsError value.
#pragma once

#include <cstdint>
#include <string>

#include "os_error.h"

namespace snapfleet {

struct Timespec {
  uint64_t sec = 0;
  uint32_t nsec = 0;
};

struct SubvolumeInfo {
  uint64_t id = 0;
  uint64_t generation = 0;
  uint64_t otransid = 0;
  Timespec otime;  // creation time (root item otime)
  bool readonly = false;
  uint8_t uuid[16] = {};
  uint8_t parent_uuid[16] = {};
};

struct FilesystemInfo {
  std::string device;
  uint8_t fsid[16] = {};
  uint64_t size = 0;
  uint64_t free = 0;
};

struct SubvolumeUsage {
  uint64_t size = 0;
  uint64_t inodes = 0;
};

// What usage() counts: with a baseline, inodes whose transid > since_transid and whose
// ctime >= since_otime; without one, every inode. `sync` commits the filesystem first.
struct UsageQuery {
  bool sync = true;
  bool has_since = false;
  uint64_t since_transid = 0;
  Timespec since_otime;
};

// subvolume.cc
// The new subvolume's info is returned so callers need no second call for its id.
// `mode` >= 0 sets the new root directory's permission bits (btrfs uses 0777 & ~umask).
OsError CreateSubvolume(const std::string& path, int mode, SubvolumeInfo* out);
OsError Snapshot(const std::string& source, const std::string& target, bool readonly,
                 SubvolumeInfo* out);
OsError DeleteSubvolume(const std::string& path);
OsError GetSubvolumeInfo(const std::string& path, SubvolumeInfo* out);
OsError SetReadOnly(const std::string& path, bool readonly);

// filesystem.cc
OsError GetFilesystemInfo(const std::string& path, FilesystemInfo* out);

// usage.cc
OsError GetUsage(const std::string& path, const UsageQuery& query, SubvolumeUsage* out);

}  // namespace snapfleet
