// Runs one blocking operation on the libuv thread pool and settles a Promise with its
// result, so the event loop never waits on an ioctl. The work lambda must not touch JS
// (it runs off the main thread); conversion happens in OnOK, back on the main thread.
#pragma once

#include <napi.h>

#include <functional>
#include <utility>

#include "js_convert.h"
#include "os_error.h"

namespace snapfleet {

struct NoResult {};

inline Napi::Value ToJs(Napi::Env env, const NoResult&) { return env.Undefined(); }

template <typename Result>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<OsError(Result*)>;

  // `op` must be a string literal: it outlives the worker.
  static Napi::Promise Start(Napi::Env env, const char* op, Work work) {
    auto* worker = new PromiseWorker(env, op, std::move(work));
    Napi::Promise promise = worker->deferred_.Promise();
    worker->Queue();  // the worker deletes itself after OnOK
    return promise;
  }

 protected:
  void Execute() override { error_ = work_(&result_); }

  // Failures are settled here too: AsyncWorker's OnError only carries a message string,
  // and the JS error needs errno, code, syscall and path.
  void OnOK() override {
    Napi::Env env = Env();
    if (error_.failed()) {
      deferred_.Reject(MakeOsError(env, op_, error_).Value());
    } else {
      deferred_.Resolve(ToJs(env, result_));
    }
  }

 private:
  PromiseWorker(Napi::Env env, const char* op, Work work)
      : Napi::AsyncWorker(env, op), deferred_(Napi::Promise::Deferred::New(env)), op_(op),
        work_(std::move(work)) {}

  Napi::Promise::Deferred deferred_;
  const char* op_;
  Work work_;
  Result result_{};
  OsError error_;
};

}  // namespace snapfleet
