// Shared by the op files (ops_*.cc): JS conversion and argument helpers, the per-job-id answer of
// array-aware actions, and the factory of each op. Internal to native/; binding.cc sees ops.h only.
#pragma once

#include "ops.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <iterator>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "libslurm.h"
#include "names.h"
#include "serial.h"

namespace sr {
namespace ops {

// ----------------------------------------------------------------------------------------------
// JS conversion helpers

inline Napi::Value Str(Napi::Env env, const char *s) { return s ? Napi::Value(Napi::String::New(env, s)) : env.Null(); }
inline Napi::Value Str(Napi::Env env, const std::string &s) { return Napi::String::New(env, s); }
inline Napi::Value Num(Napi::Env env, double n) { return Napi::Number::New(env, n); }
// uint64 values past 2^53 are Slurm's sentinels (NO_VAL64, INFINITE64): null in JS.
inline Napi::Value U64(Napi::Env env, uint64_t n) {
  return n > (uint64_t(1) << 53) ? env.Null() : Napi::Value(Napi::Number::New(env, double(n)));
}

// squeue/sdiag print users with uid_to_string(): "root" for 0, the passwd name, else "nobody".
class UserNames {
 public:
  std::string Name(uid_t uid) {
    auto hit = cache_.find(uid);
    if (hit != cache_.end()) return hit->second;
    std::string name = Lookup(uid);
    cache_.emplace(uid, name);
    return name;
  }

 private:
  static std::string Lookup(uid_t uid) {
    if (uid == 0) return "root";
    struct passwd pwd, *result = nullptr;
    std::vector<char> buf(16384);
    if (getpwuid_r(uid, &pwd, buf.data(), buf.size(), &result) == 0 && result) return pwd.pw_name;
    return "nobody";
  }
  std::unordered_map<uid_t, std::string> cache_;
};

// ----------------------------------------------------------------------------------------------
// Argument helpers (main thread)

inline Napi::Object ArgsObject(const Napi::Value &args) {
  if (args.IsUndefined() || args.IsNull()) return Napi::Object::New(args.Env());
  if (!args.IsObject()) throw Napi::TypeError::New(args.Env(), "arguments must be an object");
  return args.As<Napi::Object>();
}

inline bool Has(const Napi::Object &o, const char *key) {
  return o.Has(key) && !o.Get(key).IsUndefined() && !o.Get(key).IsNull();
}

inline std::string GetString(const Napi::Object &o, const char *key) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

inline double GetNumber(const Napi::Object &o, const char *key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

inline uint32_t GetU32(const Napi::Object &o, const char *key, uint32_t fallback) {
  if (!Has(o, key)) return fallback;
  double d = GetNumber(o, key);
  if (d < 0 || d > 4294967295.0 || d != double(uint64_t(d))) {
    throw Napi::RangeError::New(o.Env(), std::string(key) + " must be an unsigned 32-bit integer");
  }
  return uint32_t(d);
}

// Array-aware job actions answer one error code per job id they touched.
inline Napi::Value ArrayResponse(Napi::Env env, job_array_resp_msg_t *resp) {
  Napi::Array out = Napi::Array::New(env);
  for (uint32_t i = 0; resp && i < resp->job_array_count; i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("job_id", Str(env, resp->job_array_id[i]));
    o.Set("error", Num(env, resp->error_code[i]));
    const char *message = slurm_strerror(int(resp->error_code[i]));
    o.Set("message", Str(env, message));
    out.Set(i, o);
  }
  return out;
}

// ArrayResponse(), then frees the answer: the ToJS() of every array-aware action.
inline Napi::Value TakeArrayResponse(Napi::Env env, job_array_resp_msg_t *&resp) {
  Napi::Value out = ArrayResponse(env, resp);
  if (resp) slurm_free_job_array_resp(resp);
  resp = nullptr;
  return out;
}

// ----------------------------------------------------------------------------------------------
// The ops, by resource (MakeOp's table in ops.cc)

using Args = Napi::Object;
// ops_stats.cc: the controller
std::unique_ptr<Op> MakePing(const Args &a);
std::unique_ptr<Op> MakeConfig(const Args &a);
std::unique_ptr<Op> MakeStatistics(const Args &a);
// ops_jobs.cc: reading jobs and their live steps, and the job actions
std::unique_ptr<Op> MakeJobs(const Args &a, bool since);
std::unique_ptr<Op> MakeJobSteps(const Args &a);
std::unique_ptr<Op> MakeKill(const Args &a);
std::unique_ptr<Op> MakeSuspend(const Args &a);
std::unique_ptr<Op> MakeResume(const Args &a);
std::unique_ptr<Op> MakeRequeue(const Args &a);
// ops_nodes.cc: nodes and partitions
std::unique_ptr<Op> MakeNodes(const Args &a, bool since);
std::unique_ptr<Op> MakePartitions(const Args &a);
// ops_resv.cc: reservations and licenses
std::unique_ptr<Op> MakeReservations(const Args &a);
std::unique_ptr<Op> MakeLicenses(const Args &a);
// ops_submit.cc: job descriptors
std::unique_ptr<Op> MakeSubmit(const Args &a);
std::unique_ptr<Op> MakeWillRun(const Args &a);
std::unique_ptr<Op> MakeUpdate(const Args &a);
// ops_accounting.cc: slurmdbd (sacct's jobs and steps, its health)
std::unique_ptr<Op> MakeAcctJobs(const Args &a);
std::unique_ptr<Op> MakeAcctPing(const Args &a);
// ops_assoc.cc: accounts, a user with her associations, the QOS (sacctmgr show ...)
std::unique_ptr<Op> MakeAcctAccounts(const Args &a);
std::unique_ptr<Op> MakeAcctUser(const Args &a);
std::unique_ptr<Op> MakeAcctQos(const Args &a);

}  // namespace ops
}  // namespace sr
