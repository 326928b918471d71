// One libslurm call each. Run() makes the call and may run on any thread (it touches no N-API
// state); ToJS() converts what Slurm returned into plain JS data and frees it, on the JS thread.
// Whatever Slurm allocated is freed by the destructor too, so an op dropped on any path leaks
// nothing.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <utility>

namespace sr {

struct Failure {
  int err = 0;          // slurm_get_errno() right after the failed call
  std::string api;      // the libslurm function that failed
  std::string message;  // slurm_strerror(err)
};

class Op {
 public:
  virtual ~Op() = default;
  // Runs the call on the calling thread, with this op's token (if any) set thread-locally in the
  // auth/jwt plugin for exactly the duration of Run() (see TokenScope).
  void Execute();
  void SetToken(std::string token) { token_ = std::move(token); }
  Napi::Value Settle(Napi::Env env);  // result, or throws the failure as a JS error
  bool failed() const { return failed_; }
  const Failure &failure() const { return failure_; }
  static Napi::Error ToError(Napi::Env env, const Failure &failure);

 protected:
  virtual void Run() = 0;
  virtual Napi::Value ToJS(Napi::Env env) = 0;
  // Records slurm_get_errno() for `api`; call right after the failing call, on the same thread.
  void Fail(const char *api);
  void Fail(const char *api, int err);
  // With Slurm's own sentence for a failure that has no errno of its own (slurmdb, accounting).
  void Fail(const char *api, int err, const std::string &message);
  // Forgets a recorded failure (an op that retries).
  void ClearFailure() { failed_ = false; failure_ = Failure(); }

 private:
  bool failed_ = false;
  Failure failure_;
  std::string token_;  // the caller's Slurm JWT (AuthMode::Jwt); empty otherwise
};

// Builds the op named `name` from JS arguments (validated here, copied into C++ storage).
// Throws a JS TypeError on unknown names or bad arguments.
std::unique_ptr<Op> MakeOp(const std::string &name, const Napi::Value &args);

}  // namespace sr
