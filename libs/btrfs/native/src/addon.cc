// Module entry: the JS-facing functions. Each validates its arguments on the JS thread,
// then hands a blocking btrfs operation to a PromiseWorker and returns its Promise.
#include <napi.h>

#include <string>

#include "args.h"
#include "btrfs_ops.h"
#include "promise_worker.h"

#ifndef SNAPFLEET_BTRFS_VERSION
#define SNAPFLEET_BTRFS_VERSION "0.1.0"
#endif

namespace snapfleet {
namespace {

// createSubvolume(path, [mode]) → SubvolumeInfo of the new subvolume.
Napi::Value JsCreateSubvolume(const Napi::CallbackInfo& info) {
  std::string path;
  if (!ReadPath(info, 0, "path", &path)) return info.Env().Undefined();
  int mode = -1;
  if (!IsAbsent(info, 1) && !ReadMode(info, 1, "mode", &mode)) return info.Env().Undefined();
  return PromiseWorker<SubvolumeInfo>::Start(
      info.Env(), "createSubvolume",
      [path, mode](SubvolumeInfo* out) { return CreateSubvolume(path, mode, out); });
}

Napi::Value JsSnapshot(const Napi::CallbackInfo& info) {
  std::string source, target;
  bool readonly = false;
  if (!ReadPath(info, 0, "source", &source) || !ReadPath(info, 1, "target", &target) ||
      !ReadBool(info, 2, "readonly", &readonly)) {
    return info.Env().Undefined();
  }
  return PromiseWorker<SubvolumeInfo>::Start(
      info.Env(), "snapshot",
      [source, target, readonly](SubvolumeInfo* out) { return Snapshot(source, target, readonly, out); });
}

Napi::Value JsDeleteSubvolume(const Napi::CallbackInfo& info) {
  std::string path;
  if (!ReadPath(info, 0, "path", &path)) return info.Env().Undefined();
  return PromiseWorker<NoResult>::Start(info.Env(), "deleteSubvolume",
                                        [path](NoResult*) { return DeleteSubvolume(path); });
}

Napi::Value JsSubvolumeInfo(const Napi::CallbackInfo& info) {
  std::string path;
  if (!ReadPath(info, 0, "path", &path)) return info.Env().Undefined();
  return PromiseWorker<SubvolumeInfo>::Start(
      info.Env(), "subvolumeInfo", [path](SubvolumeInfo* out) { return GetSubvolumeInfo(path, out); });
}

Napi::Value JsSetReadOnly(const Napi::CallbackInfo& info) {
  std::string path;
  bool readonly = false;
  if (!ReadPath(info, 0, "path", &path) || !ReadBool(info, 1, "readonly", &readonly)) {
    return info.Env().Undefined();
  }
  return PromiseWorker<NoResult>::Start(
      info.Env(), "setReadOnly", [path, readonly](NoResult*) { return SetReadOnly(path, readonly); });
}

Napi::Value JsFilesystemInfo(const Napi::CallbackInfo& info) {
  std::string path;
  if (!ReadPath(info, 0, "path", &path)) return info.Env().Undefined();
  return PromiseWorker<FilesystemInfo>::Start(
      info.Env(), "filesystemInfo",
      [path](FilesystemInfo* out) { return GetFilesystemInfo(path, out); });
}

// usage(path, sync) counts every inode; usage(path, sync, sinceTransid, sinceOtimeSec,
// sinceOtimeNsec) counts the changes since a baseline (see usage.cc).
Napi::Value JsUsage(const Napi::CallbackInfo& info) {
  std::string path;
  UsageQuery query;
  if (!ReadPath(info, 0, "path", &path) || !ReadBool(info, 1, "sync", &query.sync)) {
    return info.Env().Undefined();
  }
  query.has_since = !IsAbsent(info, 2);
  if (query.has_since &&
      (!ReadTransid(info, 2, "sinceTransid", &query.since_transid) ||
       !ReadTransid(info, 3, "sinceOtimeSec", &query.since_otime.sec) ||
       !ReadNanoseconds(info, 4, "sinceOtimeNsec", &query.since_otime.nsec))) {
    return info.Env().Undefined();
  }
  return PromiseWorker<SubvolumeUsage>::Start(
      info.Env(), "usage", [path, query](SubvolumeUsage* out) { return GetUsage(path, query, out); });
}

}  // namespace
}  // namespace snapfleet

// NODE_API_MODULE pastes the function name into an identifier: it must be unqualified.
static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace snapfleet;
  exports.Set("backend", Napi::String::New(env, "native"));
  exports.Set("version", Napi::String::New(env, SNAPFLEET_BTRFS_VERSION));
  // Revision of the JS-facing interface; src/addon.ts refuses a build with another one.
  // 2: usage(path, sync, [sinceTransid, sinceOtimeSec, sinceOtimeNsec]), subvolumeInfo otime.
  // 3: createSubvolume(path, [mode]) and snapshot(...) resolve to the new SubvolumeInfo.
  exports.Set("abi", Napi::Number::New(env, 3));
  exports.Set("createSubvolume", Napi::Function::New(env, JsCreateSubvolume, "createSubvolume"));
  exports.Set("snapshot", Napi::Function::New(env, JsSnapshot, "snapshot"));
  exports.Set("deleteSubvolume", Napi::Function::New(env, JsDeleteSubvolume, "deleteSubvolume"));
  exports.Set("subvolumeInfo", Napi::Function::New(env, JsSubvolumeInfo, "subvolumeInfo"));
  exports.Set("setReadOnly", Napi::Function::New(env, JsSetReadOnly, "setReadOnly"));
  exports.Set("filesystemInfo", Napi::Function::New(env, JsFilesystemInfo, "filesystemInfo"));
  exports.Set("usage", Napi::Function::New(env, JsUsage, "usage"));
  return exports;
}

NODE_API_MODULE(snapfleet_btrfs, Init)
