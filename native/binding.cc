// The libslurm binding: call(name, args) runs one libslurm operation on the calling thread,
// callAsync(name, args) runs it on the libuv thread pool and returns a Promise. Both return plain
// JS data; the TS side (src/executors/internal/) gives it the gateway's meaning.
#include <napi.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <vector>

#include "libslurm.h"
#include "names.h"
#include "ops.h"
#include "serial.h"

namespace sr {

std::atomic<bool> &SerialEnabled() {
  static std::atomic<bool> enabled{false};
  return enabled;
}

std::mutex &SerialMutex() {
  static std::mutex mutex;
  return mutex;
}

namespace {

void RequireLoaded(Napi::Env env) {
  const std::string &error = EnsureLoaded();
  if (!error.empty()) throw Napi::Error::New(env, "libslurm could not be loaded: " + error);
}

std::string OpName(const Napi::CallbackInfo &info) {
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(info.Env(), "operation name expected");
  return info[0].As<Napi::String>().Utf8Value();
}

Napi::Value Call(const Napi::CallbackInfo &info) {
  RequireLoaded(info.Env());
  auto op = MakeOp(OpName(info), info[1]);
  op->Execute();
  return op->Settle(info.Env());
}

class Worker : public Napi::AsyncWorker {
 public:
  Worker(Napi::Env env, std::unique_ptr<Op> op)
      : Napi::AsyncWorker(env, "libslurm"), op_(std::move(op)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override { op_->Execute(); }  // libuv pool thread: no N-API here
  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    try {
      deferred_.Resolve(op_->Settle(env));
    } catch (const Napi::Error &error) {
      deferred_.Reject(error.Value());
    }
    op_.reset();  // free Slurm's memory now, not when the worker object goes
  }
  void OnError(const Napi::Error &error) override { deferred_.Reject(error.Value()); }

 private:
  std::unique_ptr<Op> op_;
  Napi::Promise::Deferred deferred_;
};

Napi::Value CallAsync(const Napi::CallbackInfo &info) {
  RequireLoaded(info.Env());
  auto *worker = new Worker(info.Env(), MakeOp(OpName(info), info[1]));
  Napi::Promise promise = worker->Promise();
  worker->Queue();  // the worker deletes itself after OnOK/OnError
  return promise;
}

Napi::Value StrError(const Napi::CallbackInfo &info) {
  const char *message = slurm_strerror(info[0].As<Napi::Number>().Int32Value());
  return Napi::String::New(info.Env(), message ? message : "Unknown error");
}

// Slurm's uid_from_string(): a user name, else a numeric uid that exists; null when neither.
Napi::Value UidFromString(const Napi::CallbackInfo &info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  struct passwd pwd, *result = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(name.c_str(), &pwd, buf.data(), buf.size(), &result) == 0 && result) {
    return Napi::Number::New(info.Env(), result->pw_uid);
  }
  char *end = nullptr;
  errno = 0;
  long uid = strtol(name.c_str(), &end, 10);
  if (errno || end == name.c_str() || *end || uid < 0 || uid > INT_MAX) return info.Env().Null();
  if (getpwuid_r(uid_t(uid), &pwd, buf.data(), buf.size(), &result) != 0 || !result) return info.Env().Null();
  return Napi::Number::New(info.Env(), double(uid));
}

Napi::Value SetSerialized(const Napi::CallbackInfo &info) {
  SerialEnabled().store(info[0].ToBoolean().Value());
  return info.Env().Undefined();
}

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
#define SR_CONST(name) c.Set(#name, Napi::Number::New(env, double(name)))
  SR_CONST(SLURM_VERSION_NUMBER);
  SR_CONST(NO_VAL);
  SR_CONST(INFINITE);
  SR_CONST(NO_VAL16);
  SR_CONST(INFINITE16);
  SR_CONST(NICE_OFFSET);
  SR_CONST(SHOW_ALL);
  SR_CONST(SHOW_DETAIL);
  SR_CONST(KILL_FULL_JOB);
  SR_CONST(KILL_JOB_ARRAY);
  SR_CONST(JOB_NTASKS_SET);
  SR_CONST(JOB_CPUS_SET);
  SR_CONST(JOB_STATE_BASE);
  SR_CONST(JOB_STATE_FLAGS);
  SR_CONST(JOB_UPDATE_DB);
  SR_CONST(JOB_PENDING);
  SR_CONST(JOB_RUNNING);
  SR_CONST(JOB_SUSPENDED);
  SR_CONST(JOB_COMPLETING);
  SR_CONST(JOB_STAGE_OUT);
  SR_CONST(WAIT_NO_REASON);
  SR_CONST(STAT_COMMAND_GET);
#undef SR_CONST
  // job_state_num(): every base state, then the flags squeue accepts, with both spellings.
  Napi::Array states = Napi::Array::New(env);
  uint32_t n = 0;
  auto add = [&](uint32_t value) {
    Napi::Object s = Napi::Object::New(env);
    s.Set("name", JobStateName(value));
    s.Set("compact", JobStateCompact(value));
    s.Set("value", Napi::Number::New(env, value));
    states.Set(n++, s);
  };
  for (uint32_t i = 0; i < JOB_END; i++) add(i);
  for (uint32_t flag : {JOB_COMPLETING, JOB_CONFIGURING, JOB_RESIZING, JOB_RESV_DEL_HOLD, JOB_REQUEUE,
                        JOB_REQUEUE_FED, JOB_REQUEUE_HOLD, JOB_REVOKED, JOB_SIGNALING, JOB_SPECIAL_EXIT,
                        JOB_STAGE_OUT, JOB_STOPPED}) {
    add(flag);
  }
  c.Set("job_states", states);
  Napi::Object errnos = Napi::Object::New(env);
  for (const auto &[name, value] : ErrnoConstants()) errnos.Set(name, Napi::Number::New(env, value));
  c.Set("errno", errnos);
  return c;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const std::string &error = EnsureLoaded();
  exports.Set("loadError", error.empty() ? env.Null() : Napi::Value(Napi::String::New(env, error)));
  exports.Set("version", Napi::String::New(env, LibraryVersion()));
  exports.Set("constants", Constants(env));
  exports.Set("call", Napi::Function::New(env, Call, "call"));
  exports.Set("callAsync", Napi::Function::New(env, CallAsync, "callAsync"));
  exports.Set("strerror", Napi::Function::New(env, StrError, "strerror"));
  exports.Set("uidFromString", Napi::Function::New(env, UidFromString, "uidFromString"));
  exports.Set("setSerialized", Napi::Function::New(env, SetSerialized, "setSerialized"));
  return exports;
}

}  // namespace
}  // namespace sr

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return sr::Init(env, exports); }

NODE_API_MODULE(slurm_binding, InitModule)
