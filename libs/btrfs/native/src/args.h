// Argument checks done on the JS thread before any work is queued: wrong types throw a
// TypeError/RangeError synchronously, like Node's own fs functions do.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace snapfleet {

// A non-empty string without NUL bytes (a NUL would silently truncate the C path).
bool ReadPath(const Napi::CallbackInfo& info, size_t index, const char* name, std::string* out);
bool ReadBool(const Napi::CallbackInfo& info, size_t index, const char* name, bool* out);
// A non-negative integer representable exactly as a JS number.
bool ReadTransid(const Napi::CallbackInfo& info, size_t index, const char* name, uint64_t* out);
// An integer in [0, 1e9): the nanoseconds of a timestamp.
bool ReadNanoseconds(const Napi::CallbackInfo& info, size_t index, const char* name, uint32_t* out);
// An integer in [0, 07777]: permission bits for chmod.
bool ReadMode(const Napi::CallbackInfo& info, size_t index, const char* name, int* out);
// True when argument `index` is absent, undefined or null.
bool IsAbsent(const Napi::CallbackInfo& info, size_t index);

}  // namespace snapfleet
