// Usage of a subvolume's own changes, read from its btree with TREE_SEARCH_V2.
//
// With a baseline (the transid and otime of the snapshot the subvolume was taken from), an
// inode counts when its transid > since.transid AND its ctime >= since.otime. The transid
// alone over-counts: an atime update (relatime: the first read after a write) rewrites the
// inode item, bumping its transid, without changing anything the snapshot holds. ctime is
// not touched by atime updates; it moves with every content, metadata, link-count or rename
// change, so the floor drops read-only inodes and keeps changed ones. `>=` because inode
// ctimes and the root's otime come from the same coarse clock: a change in the same tick as
// the snapshot's creation must still count.
//
// The search's min_transid = since.transid + 1 lets the kernel skip every tree block not
// rewritten after the baseline (cost follows what changed, not the tree size). That filter
// works on block generations, so the leaves it returns still hold untouched inodes: each
// INODE_ITEM's own fields decide. The key range is a compound (objectid, type, offset)
// range, so other item types between two inode items come back too and are skipped.
#include <endian.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <sys/ioctl.h>

#include <cstddef>
#include <cstring>
#include <vector>

#include "btrfs_fd.h"
#include "btrfs_ops.h"

namespace snapfleet {
namespace {

constexpr size_t kInitialBufferBytes = 64 * 1024;
// Larger than any item of the largest btrfs node size (64 KiB), so growth always ends.
constexpr size_t kMaxBufferBytes = 1024 * 1024;

struct Key {
  uint64_t objectid;
  uint32_t type;
  uint64_t offset;
};

// Next key in compound order; false past the last possible key.
bool Advance(Key* key) {
  if (key->offset != UINT64_MAX) {
    key->offset++;
    return true;
  }
  key->offset = 0;
  if (key->type < 255) {
    key->type++;
    return true;
  }
  key->type = 0;
  if (key->objectid == UINT64_MAX) return false;
  key->objectid++;
  return true;
}

class SearchArgs {
 public:
  explicit SearchArgs(size_t buf_bytes) { Resize(buf_bytes); }

  btrfs_ioctl_search_args_v2* get() {
    return reinterpret_cast<btrfs_ioctl_search_args_v2*>(storage_.data());
  }
  size_t buf_bytes() const { return buf_bytes_; }
  void Resize(size_t buf_bytes) {
    buf_bytes_ = buf_bytes;
    // uint64_t storage keeps the struct's 8-byte alignment.
    storage_.assign((sizeof(btrfs_ioctl_search_args_v2) + buf_bytes + 7) / 8, 0);
  }

 private:
  std::vector<uint64_t> storage_;
  size_t buf_bytes_ = 0;
};

void PrepareKey(btrfs_ioctl_search_args_v2* args, const Key& from, uint64_t min_transid,
                size_t buf_bytes) {
  btrfs_ioctl_search_key& sk = args->key;
  sk = btrfs_ioctl_search_key{};
  sk.tree_id = 0;  // the subvolume the fd belongs to
  sk.min_objectid = from.objectid;
  sk.min_type = from.type;
  sk.min_offset = from.offset;
  sk.max_objectid = BTRFS_LAST_FREE_OBJECTID;
  sk.max_type = BTRFS_INODE_ITEM_KEY;
  sk.max_offset = UINT64_MAX;
  sk.min_transid = min_transid;
  sk.max_transid = UINT64_MAX;
  sk.nr_items = UINT32_MAX;  // bounded by buf_size instead
  args->buf_size = buf_bytes;
}

// One TREE_SEARCH_V2 call; grows the buffer when a single item does not fit.
OsError Search(int fd, SearchArgs* args, const Key& from, uint64_t min_transid,
               const std::string& path) {
  for (;;) {
    PrepareKey(args->get(), from, min_transid, args->buf_bytes());
    if (ioctl(fd, BTRFS_IOC_TREE_SEARCH_V2, args->get()) != -1) return OsError::Ok();
    if (errno != EOVERFLOW) return OsError::FromErrno("BTRFS_IOC_TREE_SEARCH_V2", path);
    // On EOVERFLOW the kernel reports the size the next item needs in buf_size.
    size_t needed = args->get()->buf_size;
    if (needed <= args->buf_bytes() || needed > kMaxBufferBytes) {
      return OsError::Of(EOVERFLOW, "BTRFS_IOC_TREE_SEARCH_V2", path);
    }
    args->Resize(needed);
  }
}

bool TimespecBefore(const Timespec& a, const Timespec& b) {
  return a.sec < b.sec || (a.sec == b.sec && a.nsec < b.nsec);
}

void CountInode(const uint8_t* item, uint32_t len, const UsageQuery& query,
                SubvolumeUsage* out) {
  constexpr size_t kCtimeEnd = offsetof(btrfs_inode_item, ctime) + sizeof(btrfs_timespec);
  if (len < offsetof(btrfs_inode_item, nbytes) + sizeof(uint64_t)) return;
  uint64_t nbytes;
  memcpy(&nbytes, item + offsetof(btrfs_inode_item, nbytes), sizeof nbytes);
  if (query.has_since) {
    if (len < kCtimeEnd) return;
    uint64_t transid, ctime_sec;
    uint32_t ctime_nsec;
    memcpy(&transid, item + offsetof(btrfs_inode_item, transid), sizeof transid);
    memcpy(&ctime_sec, item + offsetof(btrfs_inode_item, ctime) + offsetof(btrfs_timespec, sec),
           sizeof ctime_sec);
    memcpy(&ctime_nsec,
           item + offsetof(btrfs_inode_item, ctime) + offsetof(btrfs_timespec, nsec),
           sizeof ctime_nsec);
    if (le64toh(transid) <= query.since_transid) return;
    Timespec ctime{le64toh(ctime_sec), le32toh(ctime_nsec)};
    if (TimespecBefore(ctime, query.since_otime)) return;
  }
  out->inodes++;
  out->size += le64toh(nbytes);
}

// Tallies one batch into `out` and sets `last` to the key of its last item. EIO if the
// kernel's item lengths overrun the buffer (never expected; guards against ABI mismatch).
OsError ConsumeBatch(btrfs_ioctl_search_args_v2* args, size_t buf_bytes,
                     const UsageQuery& query, SubvolumeUsage* out, Key* last,
                     const std::string& path) {
  size_t pos = 0;
  for (uint32_t i = 0; i < args->key.nr_items; i++) {
    btrfs_ioctl_search_header header;
    if (buf_bytes - pos < sizeof header) return OsError::Of(EIO, "BTRFS_IOC_TREE_SEARCH_V2", path);
    memcpy(&header, args->buf + pos, sizeof header);
    pos += sizeof header;
    if (buf_bytes - pos < header.len) return OsError::Of(EIO, "BTRFS_IOC_TREE_SEARCH_V2", path);
    if (header.type == BTRFS_INODE_ITEM_KEY && header.objectid >= BTRFS_FIRST_FREE_OBJECTID &&
        header.objectid <= BTRFS_LAST_FREE_OBJECTID) {
      CountInode(args->buf + pos, header.len, query, out);
    }
    pos += header.len;
    *last = Key{header.objectid, header.type, header.offset};
  }
  return OsError::Ok();
}

}  // namespace

OsError GetUsage(const std::string& path, const UsageQuery& query, SubvolumeUsage* out) {
  UniqueFd fd;
  if (OsError e = OpenSubvolume(path, &fd); e.failed()) return e;
  // Inode updates wait in memory (delayed inodes, delalloc) until a commit; without a
  // commit the btree would miss recent writes. Same as `btrfs filesystem sync`. Callers
  // skip it (sync = false) only for a tree already committed, e.g. a read-only snapshot
  // just created: creating a snapshot flushes the source and commits the transaction.
  if (query.sync) {
    if (OsError e = Ioctl(fd.get(), BTRFS_IOC_SYNC, nullptr, "BTRFS_IOC_SYNC", path);
        e.failed()) {
      return e;
    }
  }
  // Without a baseline every inode counts: min_transid 0 filters nothing.
  uint64_t min_transid = query.has_since ? query.since_transid + 1 : 0;
  SearchArgs args(kInitialBufferBytes);
  Key from{BTRFS_FIRST_FREE_OBJECTID, BTRFS_INODE_ITEM_KEY, 0};
  *out = SubvolumeUsage{};
  for (;;) {
    if (OsError e = Search(fd.get(), &args, from, min_transid, path); e.failed()) return e;
    if (args.get()->key.nr_items == 0) return OsError::Ok();
    if (OsError e = ConsumeBatch(args.get(), args.buf_bytes(), query, out, &from, path);
        e.failed()) {
      return e;
    }
    if (!Advance(&from)) return OsError::Ok();
  }
}

}  // namespace snapfleet
