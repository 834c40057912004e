// Results and failures of the blocking operations turned into JS values (main thread).
#pragma once

#include <napi.h>

#include "btrfs_ops.h"
#include "os_error.h"

namespace snapfleet {

// Error with errno (positive), code ("ENOENT"), syscall, path and op properties.
Napi::Error MakeOsError(Napi::Env env, const char* op, const OsError& error);

Napi::Value ToJs(Napi::Env env, const SubvolumeInfo& info);
Napi::Value ToJs(Napi::Env env, const FilesystemInfo& info);
Napi::Value ToJs(Napi::Env env, const SubvolumeUsage& usage);

}  // namespace snapfleet
