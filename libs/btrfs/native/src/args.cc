// JS argument validation for the exported functions.
#include "args.h"

#include <cmath>
#include <string>

namespace snapfleet {
namespace {

bool Fail(Napi::Env env, const std::string& message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return false;
}

}  // namespace

bool ReadPath(const Napi::CallbackInfo& info, size_t index, const char* name, std::string* out) {
  if (index >= info.Length() || !info[index].IsString()) {
    return Fail(info.Env(), std::string(name) + " must be a string");
  }
  std::string value = info[index].As<Napi::String>().Utf8Value();
  if (value.empty()) return Fail(info.Env(), std::string(name) + " must not be empty");
  if (value.find('\0') != std::string::npos) {
    return Fail(info.Env(), std::string(name) + " must not contain NUL bytes");
  }
  *out = std::move(value);
  return true;
}

bool ReadBool(const Napi::CallbackInfo& info, size_t index, const char* name, bool* out) {
  if (index >= info.Length() || !info[index].IsBoolean()) {
    return Fail(info.Env(), std::string(name) + " must be a boolean");
  }
  *out = info[index].As<Napi::Boolean>().Value();
  return true;
}

bool IsAbsent(const Napi::CallbackInfo& info, size_t index) {
  return index >= info.Length() || info[index].IsUndefined() || info[index].IsNull();
}

bool ReadTransid(const Napi::CallbackInfo& info, size_t index, const char* name, uint64_t* out) {
  if (index >= info.Length() || !info[index].IsNumber()) {
    return Fail(info.Env(), std::string(name) + " must be a number");
  }
  double value = info[index].As<Napi::Number>().DoubleValue();
  constexpr double kMaxSafeInteger = 9007199254740991.0;
  if (!(value >= 0) || value > kMaxSafeInteger || std::floor(value) != value) {
    Napi::RangeError::New(info.Env(), std::string(name) + " must be a non-negative safe integer")
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<uint64_t>(value);
  return true;
}

bool ReadNanoseconds(const Napi::CallbackInfo& info, size_t index, const char* name,
                     uint32_t* out) {
  if (index >= info.Length() || !info[index].IsNumber()) {
    return Fail(info.Env(), std::string(name) + " must be a number");
  }
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!(value >= 0) || value >= 1e9 || std::floor(value) != value) {
    Napi::RangeError::New(info.Env(), std::string(name) + " must be an integer in [0, 1e9)")
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<uint32_t>(value);
  return true;
}

bool ReadMode(const Napi::CallbackInfo& info, size_t index, const char* name, int* out) {
  if (index >= info.Length() || !info[index].IsNumber()) {
    return Fail(info.Env(), std::string(name) + " must be a number");
  }
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!(value >= 0) || value > 07777 || std::floor(value) != value) {
    Napi::RangeError::New(info.Env(), std::string(name) + " must be an integer in [0, 0o7777]")
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<int>(value);
  return true;
}

}  // namespace snapfleet
