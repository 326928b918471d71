// Op (ops.h) and MakeOp's table; the ops themselves are in ops_stats.cc, ops_jobs.cc,
// ops_nodes.cc, ops_resv.cc, ops_submit.cc, ops_accounting.cc and ops_assoc.cc, their shared helpers in
// ops_util.h (and slurmdb_util.h for the accounting ones).
#include "ops.h"

#include <functional>
#include <map>

#include "libslurm.h"
#include "ops_util.h"
#include "serial.h"

namespace sr {

// ----------------------------------------------------------------------------------------------
// Op

void Op::Execute() {
  SerialGuard guard;  // a no-op unless calls were configured to be serialised
  TokenScope caller(token_);  // set on this thread, cleared on every way out of this scope
  Run();
}

Napi::Value Op::Settle(Napi::Env env) {
  if (failed_) throw ToError(env, failure_);
  return ToJS(env);
}

void Op::Fail(const char *api) { Fail(api, slurm_get_errno()); }

void Op::Fail(const char *api, int err) {
  failed_ = true;
  failure_.err = err;
  failure_.api = api;
  const char *message = slurm_strerror(err);
  failure_.message = message ? message : "Unknown error";
}

void Op::Fail(const char *api, int err, const std::string &message) {
  failed_ = true;
  failure_.err = err;
  failure_.api = api;
  failure_.message = message;
}

Napi::Error Op::ToError(Napi::Env env, const Failure &failure) {
  Napi::Error error = Napi::Error::New(env, failure.api + ": " + failure.message);
  error.Set("slurmErrno", Napi::Number::New(env, failure.err));
  error.Set("slurmError", Napi::String::New(env, failure.message));
  error.Set("api", Napi::String::New(env, failure.api));
  return error;
}

namespace {

using Factory = std::function<std::unique_ptr<Op>(const Napi::Object &)>;

const std::map<std::string, Factory> &Factories() {
  static const std::map<std::string, Factory> table = {
      {"ping", ops::MakePing},
      {"config", ops::MakeConfig},
      {"statistics", ops::MakeStatistics},
      {"jobs", [](const Napi::Object &a) { return ops::MakeJobs(a, false); }},
      {"jobs_since", [](const Napi::Object &a) { return ops::MakeJobs(a, true); }},
      {"nodes", [](const Napi::Object &a) { return ops::MakeNodes(a, false); }},
      {"nodes_since", [](const Napi::Object &a) { return ops::MakeNodes(a, true); }},
      {"partitions", ops::MakePartitions},
      {"reservations", ops::MakeReservations},
      {"licenses", ops::MakeLicenses},
      {"submit", ops::MakeSubmit},
      {"will_run", ops::MakeWillRun},
      {"update", ops::MakeUpdate},
      {"kill", ops::MakeKill},
      {"suspend", ops::MakeSuspend},
      {"resume", ops::MakeResume},
      {"requeue", ops::MakeRequeue},
      {"job_steps", ops::MakeJobSteps},
      {"acct_jobs", ops::MakeAcctJobs},
      {"acct_ping", ops::MakeAcctPing},
      {"acct_accounts", ops::MakeAcctAccounts},
      {"acct_user", ops::MakeAcctUser},
      {"acct_qos", ops::MakeAcctQos},
  };
  return table;
}

}  // namespace

std::unique_ptr<Op> MakeOp(const std::string &name, const Napi::Value &args) {
  auto it = Factories().find(name);
  if (it == Factories().end()) throw Napi::TypeError::New(args.Env(), "unknown libslurm operation: " + name);
  return it->second(ops::ArgsObject(args));
}

}  // namespace sr
