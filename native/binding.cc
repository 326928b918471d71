// The libslurm binding: init({ auth }) initialises libslurm once per process; call(name, args,
// token?) runs one libslurm operation on the calling thread, callAsync(name, args, token?) runs it
// on the libuv thread pool and returns a Promise. Both return plain JS data; the TS side
// (src/executors/internal/) gives it the gateway's meaning.
#include <napi.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
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

// False while the environment is being torn down (a worker thread being terminated): N-API then
// refuses anything that could run JS with napi_pending_exception although no exception is pending.
bool CanRunJs(napi_env env) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) != napi_ok || pending) return true;
  napi_value global;
  bool has = false;
  return napi_get_global(env, &global) == napi_ok && napi_has_named_property(env, global, "Object", &has) == napi_ok;
}

std::string OpName(const Napi::CallbackInfo &info) {
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(info.Env(), "operation name expected");
  return info[0].As<Napi::String>().Utf8Value();
}

// The op named by call(name, args, token?), after the process-wide checks: libslurm initialised,
// and a token exactly when the process runs in AuthMode::Jwt (fail closed: a call without one
// never goes out as anybody; a token never silently goes out as the gateway's own user).
std::unique_ptr<Op> PrepareOp(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int mode = InitialisedMode();
  if (mode < 0) throw Napi::Error::New(env, "libslurm is not initialised in this process: call init({ auth }) first");
  std::string token;
  if (info.Length() > 2 && !info[2].IsUndefined() && !info[2].IsNull()) {
    if (!info[2].IsString()) throw Napi::TypeError::New(env, "token must be a string");
    token = info[2].As<Napi::String>().Utf8Value();
  }
  if (mode == int(AuthMode::Jwt) && token.empty()) {
    throw Napi::Error::New(env, "libslurm runs with --auth=jwt here: every call needs its caller's token");
  }
  if (mode == int(AuthMode::None) && !token.empty()) {
    throw Napi::Error::New(env, "libslurm runs with --auth=none here (the gateway's own user): a caller's token cannot be used");
  }
  auto op = MakeOp(OpName(info), info[1]);
  op->SetToken(std::move(token));
  return op;
}

// A worker thread terminated while it waits in Execute() (Worker.terminate() cannot interrupt a
// native call; the thread runs on until libslurm returns) comes back to an environment that can no
// longer run JS: every N-API call in Settle() fails, and node-addon-api turns the failures into a
// C++ exception that the callback wrapper cannot rethrow as JS (std::terminate, exit 134). Then the
// result has nobody to go to: drop it, and let the thread finish its exit. The op's destructor
// frees Slurm's memory and TokenScope has already cleared the thread's token.
// ---- Calls bounded by a wait (call/callAsync with `withinMs`) ----------------------------------
//
// libslurm's slurmdbd connection waits (MessageTimeout + 35) s for an answer, hard-coded in 22.05
// (dbd_conn_open); a slurmdbd that accepts and never answers would hold the calling thread that
// long: a pool's worker thread, the event loop (inline), or a libuv pool thread (async). A bounded
// call runs the op on a thread of its own and waits at most `withinMs`; past that the caller gets
// a "gave up" error at once and the thread is left to finish the call, then frees the op itself
// (Run() and the destructor touch no N-API state, so any thread may do both). At most
// kMaxUnfinished such threads per process: beyond that a call fails at once rather than start one
// more, so a dead slurmdbd costs a bounded number of threads and sockets, never the callers.

constexpr int kMaxUnfinished = 8;
std::atomic<int> unfinished{0};

struct Bounded {
  std::unique_ptr<Op> op;
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
};

// Starts `op` on its own detached thread; null when kMaxUnfinished threads are still in calls.
std::shared_ptr<Bounded> StartBounded(std::unique_ptr<Op> op) {
  if (unfinished.fetch_add(1) >= kMaxUnfinished) {
    unfinished.fetch_sub(1);
    return nullptr;
  }
  auto state = std::make_shared<Bounded>();
  state->op = std::move(op);
  try {
    std::thread([state] {
      state->op->Execute();
      {
        std::lock_guard<std::mutex> lock(state->mutex);
        state->done = true;
      }
      state->done_cv.notify_all();
      unfinished.fetch_sub(1);
    }).detach();
  } catch (...) {  // no thread could be made
    unfinished.fetch_sub(1);
    throw;
  }
  return state;
}

// Waits up to `ms` for the bounded call; true when it finished.
bool WaitBounded(Bounded &state, int64_t ms) {
  std::unique_lock<std::mutex> lock(state.mutex);
  return state.done_cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return state.done; });
}

// The `withinMs` argument of call/callAsync: absent (unbounded), or a whole number of ms >= 0.
bool WithinMs(const Napi::CallbackInfo &info, int64_t &ms) {
  if (info.Length() < 4 || info[3].IsUndefined() || info[3].IsNull()) return false;
  if (!info[3].IsNumber()) throw Napi::TypeError::New(info.Env(), "withinMs must be a number");
  double value = info[3].As<Napi::Number>().DoubleValue();
  if (!(value >= 0) || value > 86400000.0) throw Napi::TypeError::New(info.Env(), "withinMs must be between 0 and one day");
  ms = int64_t(value);
  return true;
}

Napi::Error GaveUp(Napi::Env env, const std::string &name, int64_t ms) {
  Napi::Error error = Napi::Error::New(env, name + " did not finish within " + std::to_string(ms) + " ms; its thread finishes the call on its own");
  error.Set("gaveUp", Napi::Boolean::New(env, true));
  return error;
}

Napi::Error TooManyUnfinished(Napi::Env env, const std::string &name) {
  Failure failure;
  failure.err = SLURM_ERROR;
  failure.api = name;
  failure.message = std::to_string(kMaxUnfinished) + " earlier calls that were given up on are still waiting for an answer";
  return Op::ToError(env, failure);
}

Napi::Value Call(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  auto op = PrepareOp(info);
  int64_t ms = 0;
  if (WithinMs(info, ms)) {
    std::string name = OpName(info);
    auto state = StartBounded(std::move(op));
    if (!state) throw TooManyUnfinished(env, name);
    if (!WaitBounded(*state, ms)) throw GaveUp(env, name, ms);
    op = std::move(state->op);  // finished: this thread owns it again
  } else {
    op->Execute();
  }
  try {
    return op->Settle(env);
  } catch (const Napi::Error &) {
    if (CanRunJs(env)) throw;  // an ordinary failure (Slurm's error, thrown as JS)
    return Napi::Value();
  }
}

class Worker : public Napi::AsyncWorker {
 public:
  Worker(Napi::Env env, std::unique_ptr<Op> op)
      : Napi::AsyncWorker(env, "libslurm"), op_(std::move(op)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  // libuv pool thread: no N-API here. The caller's token is set and cleared on this thread.
  void Execute() override { op_->Execute(); }
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

// callAsync with `withinMs`: the libuv pool thread only waits for the bounded call, at most `ms`.
class BoundedWorker : public Napi::AsyncWorker {
 public:
  BoundedWorker(Napi::Env env, std::shared_ptr<Bounded> state, std::string name, int64_t ms)
      : Napi::AsyncWorker(env, "libslurm"), state_(std::move(state)), name_(std::move(name)), ms_(ms),
        deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override { finished_ = WaitBounded(*state_, ms_); }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (!finished_) {
      deferred_.Reject(GaveUp(env, name_, ms_).Value());
      return;
    }
    std::unique_ptr<Op> op = std::move(state_->op);
    try {
      deferred_.Resolve(op->Settle(env));
    } catch (const Napi::Error &error) {
      deferred_.Reject(error.Value());
    }
  }
  void OnError(const Napi::Error &error) override { deferred_.Reject(error.Value()); }

 private:
  std::shared_ptr<Bounded> state_;
  std::string name_;
  int64_t ms_;
  bool finished_ = false;
  Napi::Promise::Deferred deferred_;
};

Napi::Value CallAsync(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int64_t ms = 0;
  if (WithinMs(info, ms)) {
    auto op = PrepareOp(info);
    std::string name = OpName(info);
    auto state = StartBounded(std::move(op));
    if (!state) {
      auto deferred = Napi::Promise::Deferred::New(env);
      deferred.Reject(TooManyUnfinished(env, name).Value());
      return deferred.Promise();
    }
    auto *worker = new BoundedWorker(env, std::move(state), std::move(name), ms);
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  }
  auto *worker = new Worker(env, PrepareOp(info));
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

// getpwnam_r(): the local account a caller's jobs run as; null when there is none.
Napi::Value Account(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "user name expected");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  struct passwd pwd, *result = nullptr;
  std::vector<char> buf(16384);
  int rc;
  while ((rc = getpwnam_r(name.c_str(), &pwd, buf.data(), buf.size(), &result)) == ERANGE && buf.size() < (1u << 24)) {
    buf.resize(buf.size() * 2);
  }
  if (rc != 0 && rc != ENOENT && rc != ESRCH && rc != EBADF && rc != EPERM) {
    throw Napi::Error::New(env, std::string("getpwnam_r(") + name + ") failed: " + std::strerror(rc));
  }
  if (!result) return env.Null();
  Napi::Object out = Napi::Object::New(env);
  out.Set("name", Napi::String::New(env, pwd.pw_name));
  out.Set("uid", Napi::Number::New(env, double(pwd.pw_uid)));
  out.Set("gid", Napi::Number::New(env, double(pwd.pw_gid)));
  out.Set("home", Napi::String::New(env, pwd.pw_dir ? pwd.pw_dir : ""));
  return out;
}

// init({ auth: 'none' | 'jwt' }): libslurm's one-time initialisation in that auth mode (see
// Initialise in libslurm.h). Throws when it fails, or when the process was initialised in the
// other mode.
Napi::Value Init(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string auth = "none";
  if (info.Length() > 0 && info[0].IsObject()) {
    Napi::Value v = info[0].As<Napi::Object>().Get("auth");
    if (!v.IsUndefined()) {
      if (!v.IsString()) throw Napi::TypeError::New(env, "auth must be 'none' or 'jwt'");
      auth = v.As<Napi::String>().Utf8Value();
    }
  }
  if (auth != "none" && auth != "jwt") throw Napi::TypeError::New(env, "auth must be 'none' or 'jwt'");
  AuthMode mode = auth == "jwt" ? AuthMode::Jwt : AuthMode::None;
  std::string error = Initialise(mode);
  if (!error.empty()) throw Napi::Error::New(env, error);
  Napi::Object out = Napi::Object::New(env);
  out.Set("auth", Napi::String::New(env, AuthModeName(mode)));
  const char *type = helpers().conf ? helpers().conf->authtype : nullptr;
  out.Set("authType", type ? Napi::Value(Napi::String::New(env, type)) : env.Null());
  out.Set("jwtPlugin", mode == AuthMode::Jwt ? Napi::Value(Napi::String::New(env, jwt().path)) : env.Null());
  return out;
}

Napi::Value AuthModeOf(const Napi::CallbackInfo &info) {
  int mode = InitialisedMode();
  if (mode < 0) return info.Env().Null();
  return Napi::String::New(info.Env(), AuthModeName(AuthMode(mode)));
}

Napi::Value ThreadTokenIsSet(const Napi::CallbackInfo &info) {
  return Napi::Boolean::New(info.Env(), ThreadTokenSet());
}

// exitNow(code): ends the process at once (_exit), without joining worker threads. process.exit()
// joins every worker thread, and a thread inside a libslurm call cannot be interrupted: a stop
// would wait for the call (MessageTimeout) after every answer has been given.
Napi::Value ExitNow(const Napi::CallbackInfo &info) {
  int code = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  std::fflush(nullptr);
  _exit(code);
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

Napi::Object InitExports(Napi::Env env, Napi::Object exports) {
  // Loading only (RTLD_GLOBAL promotion): libslurm itself is initialised by init({ auth }), so
  // that the auth mode is decided before libslurm reads SLURM_JWT.
  const std::string &error = EnsureLoaded();
  exports.Set("loadError", error.empty() ? env.Null() : Napi::Value(Napi::String::New(env, error)));
  exports.Set("version", Napi::String::New(env, LibraryVersion()));
  exports.Set("constants", Constants(env));
  exports.Set("init", Napi::Function::New(env, Init, "init"));
  exports.Set("authMode", Napi::Function::New(env, AuthModeOf, "authMode"));
  exports.Set("account", Napi::Function::New(env, Account, "account"));
  exports.Set("threadTokenSet", Napi::Function::New(env, ThreadTokenIsSet, "threadTokenSet"));
  exports.Set("call", Napi::Function::New(env, Call, "call"));
  exports.Set("callAsync", Napi::Function::New(env, CallAsync, "callAsync"));
  exports.Set("strerror", Napi::Function::New(env, StrError, "strerror"));
  exports.Set("uidFromString", Napi::Function::New(env, UidFromString, "uidFromString"));
  exports.Set("setSerialized", Napi::Function::New(env, SetSerialized, "setSerialized"));
  exports.Set("exitNow", Napi::Function::New(env, ExitNow, "exitNow"));
  return exports;
}

}  // namespace
}  // namespace sr

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return sr::InitExports(env, exports); }

NODE_API_MODULE(slurm_binding, InitModule)
