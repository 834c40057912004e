// Conversion of operation results and OsErrors into JS objects.
#include "js_convert.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace snapfleet {
namespace {

// glibc's strerror_r returns char*, the XSI one returns int: overloads pick the right one.
[[maybe_unused]] const char* PickMessage(int result, const char* buf) {
  return result == 0 ? buf : "Unknown error";
}
[[maybe_unused]] const char* PickMessage(const char* result, const char*) { return result; }

std::string Describe(int err) {
  char buf[256] = {};
  return PickMessage(strerror_r(err, buf, sizeof buf), buf);
}

bool IsZero(const uint8_t (&uuid)[16]) {
  for (uint8_t byte : uuid) {
    if (byte != 0) return false;
  }
  return true;
}

std::string FormatUuid(const uint8_t (&uuid)[16]) {
  char out[37];
  snprintf(out, sizeof out,
           "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", uuid[0],
           uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8], uuid[9],
           uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]);
  return out;
}

// Transids, ids and byte counts stay far below 2^53 on any real filesystem.
Napi::Number Num(Napi::Env env, uint64_t value) {
  return Napi::Number::New(env, static_cast<double>(value));
}

}  // namespace

Napi::Error MakeOsError(Napi::Env env, const char* op, const OsError& error) {
  const char* code = ErrnoName(error.err);
  std::string message = std::string("btrfs ") + op + " " + error.path + ": " + code + " (" +
                        Describe(error.err) + ")";
  Napi::Error js = Napi::Error::New(env, message);
  js.Set("errno", Napi::Number::New(env, error.err));
  js.Set("code", Napi::String::New(env, code));
  js.Set("syscall", Napi::String::New(env, error.syscall));
  js.Set("path", Napi::String::New(env, error.path));
  js.Set("op", Napi::String::New(env, op));
  return js;
}

Napi::Value ToJs(Napi::Env env, const SubvolumeInfo& info) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("id", Num(env, info.id));
  out.Set("generation", Num(env, info.generation));
  out.Set("otransid", Num(env, info.otransid));
  Napi::Object otime = Napi::Object::New(env);
  // Seconds since the epoch stay far below 2^53 as well.
  otime.Set("sec", Num(env, info.otime.sec));
  otime.Set("nsec", Num(env, info.otime.nsec));
  out.Set("otime", otime);
  out.Set("readonly", Napi::Boolean::New(env, info.readonly));
  out.Set("uuid", Napi::String::New(env, FormatUuid(info.uuid)));
  out.Set("parentUuid", IsZero(info.parent_uuid)
                            ? env.Null()
                            : Napi::String::New(env, FormatUuid(info.parent_uuid)));
  return out;
}

Napi::Value ToJs(Napi::Env env, const FilesystemInfo& info) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("device", Napi::String::New(env, info.device));
  out.Set("fsid", Napi::String::New(env, FormatUuid(info.fsid)));
  out.Set("size", Num(env, info.size));
  out.Set("free", Num(env, info.free));
  return out;
}

Napi::Value ToJs(Napi::Env env, const SubvolumeUsage& usage) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("size", Num(env, usage.size));
  out.Set("inodes", Num(env, usage.inodes));
  return out;
}

}  // namespace snapfleet
