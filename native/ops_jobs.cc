// Jobs: reading them (as squeue does), and the job actions (scancel, scontrol suspend/resume/requeue).
#include "ops_util.h"

namespace sr {
namespace ops {
namespace {

// ----------------------------------------------------------------------------------------------
// jobs: slurm_load_jobs / slurm_load_job / slurm_load_job_user, as squeue calls them

class JobsOp : public Op {
 public:
  explicit JobsOp(const Napi::Object &a, bool since = false)
      : flags_(uint16_t(GetU32(a, "show_flags", 0))),
        job_id_(since ? 0 : GetU32(a, "job_id", 0)),
        user_id_(since ? NO_VAL : GetU32(a, "user_id", NO_VAL)),
        since_(since),
        update_time_(since ? time_t(GetU32(a, "update_time", 0)) : 0) {}
  ~JobsOp() override {
    if (msg_) slurm_free_job_info_msg(msg_);
  }

 private:
  void Run() override {
    int rc;
    const char *api;
    if (job_id_) {
      api = "slurm_load_job";
      rc = slurm_load_job(&msg_, job_id_, flags_);
    } else if (user_id_ != NO_VAL) {
      api = "slurm_load_job_user";
      rc = slurm_load_job_user(&msg_, user_id_, flags_);
    } else {
      api = "slurm_load_jobs";
      rc = slurm_load_jobs(update_time_, &msg_, flags_);
    }
    if (rc != SLURM_SUCCESS) {
      msg_ = nullptr;
      // jobs_since: slurmctld's "nothing changed since update_time" (squeue --iterate's shortcut).
      if (since_ && update_time_ && slurm_get_errno() == SLURM_NO_CHANGE_IN_DATA) return;
      Fail(api);
    }
  }

  Napi::Value ToJS(Napi::Env env) override {
    if (since_) {
      // { last_update, jobs }: jobs null when nothing changed since update_time (then last_update is it).
      Napi::Object out = Napi::Object::New(env);
      out.Set("last_update", Num(env, double(msg_ ? msg_->last_update : update_time_)));
      out.Set("jobs", msg_ ? Records(env) : env.Null());
      return out;
    }
    return Records(env);
  }

  Napi::Value Records(Napi::Env env) {
    UserNames users;
    Keys keys(env);
    Napi::Array out = Napi::Array::New(env, msg_->record_count);
    for (uint32_t i = 0; i < msg_->record_count; i++) out.Set(i, Job(env, keys, msg_->job_array[i], users));
    slurm_free_job_info_msg(msg_);
    msg_ = nullptr;
    return out;
  }

  // Property names, created once per answer rather than once per job (a third of the time).
  struct Keys {
    explicit Keys(Napi::Env env) {
      for (const char *name : kNames) names.push_back(Napi::String::New(env, name));
    }
    static constexpr const char *kNames[] = {
        "job_id", "array_job_id", "array_task_id", "array_task_str", "array_tasks", "het_job_id", "name",
        "user_id", "user_name", "account", "partition", "qos", "job_state", "state", "state_compact",
        "state_reason", "state_reason_name", "state_desc", "priority", "submit_time", "start_time",
        "end_time", "time_limit", "nodes", "num_nodes", "num_cpus", "exit_code", "work_dir", "std_out",
        "std_err", "batch_flag", "comment", "dependency", "features", "tres_per_node", "tres_per_job",
        "licenses", "resv_name", "eligible_time", "deadline", "requeue", "shared", "ntasks_per_node"};
    std::vector<Napi::String> names;
  };

  static Napi::Object Job(Napi::Env env, const Keys &k, const slurm_job_info_t &j, UserNames &users) {
    Napi::Object o = Napi::Object::New(env);
    const Napi::Value values[] = {
        Num(env, j.job_id), Num(env, j.array_job_id), Num(env, j.array_task_id), Str(env, j.array_task_str),
        ArrayTasks(env, j), Num(env, j.het_job_id), Str(env, j.name), Num(env, j.user_id),
        Str(env, users.Name(j.user_id)), Str(env, j.account), Str(env, j.partition), Str(env, j.qos),
        Num(env, j.job_state), Str(env, JobStateName(j.job_state)), Str(env, JobStateCompact(j.job_state)),
        Num(env, j.state_reason), Str(env, JobReasonName(j.state_reason)), Str(env, j.state_desc),
        Num(env, j.priority), Num(env, double(j.submit_time)), Num(env, double(j.start_time)),
        Num(env, double(j.end_time)), Num(env, j.time_limit), Str(env, j.nodes), Num(env, j.num_nodes),
        Num(env, j.num_cpus), Num(env, j.exit_code), Str(env, j.work_dir), Str(env, j.std_out),
        Str(env, j.std_err), Num(env, j.batch_flag), Str(env, j.comment), Str(env, j.dependency),
        Str(env, j.features), Str(env, j.tres_per_node), Str(env, j.tres_per_job), Str(env, j.licenses),
        Str(env, j.resv_name), Num(env, double(j.eligible_time)), Num(env, double(j.deadline)),
        Num(env, j.requeue), Num(env, j.shared), Num(env, j.ntasks_per_node)};
    static_assert(std::size(values) == std::size(Keys::kNames), "one value per key");
    for (size_t i = 0; i < std::size(values); i++) o.Set(k.names[i], values[i]);
    return o;
  }

  // The task ids a not-yet-split pending array record stands for (array_bitmap), which squeue
  // uses to fold split-off pending tasks back into it. Null when there is no bitmap.
  static Napi::Value ArrayTasks(Napi::Env env, const slurm_job_info_t &j) {
    const Helpers &h = helpers();
    bitstr_t *bits = static_cast<bitstr_t *>(j.array_bitmap);
    if (!j.array_task_str || !bits || !h.bit_size || !h.bit_test) return env.Null();
    Napi::Array set = Napi::Array::New(env);
    bitoff_t size = h.bit_size(bits);
    uint32_t n = 0;
    for (bitoff_t b = 0; b < size; b++) {
      if (h.bit_test(bits, b)) set.Set(n++, Num(env, double(b)));
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("size", Num(env, double(size)));
    out.Set("set", set);
    return out;
  }

  uint16_t flags_;
  uint32_t job_id_;
  uint32_t user_id_;
  bool since_;
  time_t update_time_;
  job_info_msg_t *msg_ = nullptr;
};

// suspend / resume / requeue take a job id string ("123", "123_4") and answer per job id.
class JobActionOp : public Op {
 public:
  enum class Kind { Suspend, Resume, Requeue };
  JobActionOp(Kind kind, const Napi::Object &a)
      : kind_(kind), job_id_(GetString(a, "job_id")), flags_(GetU32(a, "flags", 0)) {}
  ~JobActionOp() override {
    if (resp_) slurm_free_job_array_resp(resp_);
  }

 private:
  void Run() override {
    char *id = const_cast<char *>(job_id_.c_str());
    int rc;
    const char *api;
    switch (kind_) {
      case Kind::Suspend: api = "slurm_suspend2"; rc = slurm_suspend2(id, &resp_); break;
      case Kind::Resume: api = "slurm_resume2"; rc = slurm_resume2(id, &resp_); break;
      default: api = "slurm_requeue2"; rc = slurm_requeue2(id, flags_, &resp_); break;
    }
    if (rc != SLURM_SUCCESS) {
      resp_ = nullptr;
      Fail(api);
    }
  }
  Napi::Value ToJS(Napi::Env env) override {
    return TakeArrayResponse(env, resp_);
  }

  Kind kind_;
  std::string job_id_;
  uint32_t flags_;
  job_array_resp_msg_t *resp_ = nullptr;
};

class KillOp : public Op {
 public:
  explicit KillOp(const Napi::Object &a)
      : job_id_(GetString(a, "job_id")), signal_(uint16_t(GetU32(a, "signal", 9))), flags_(uint16_t(GetU32(a, "flags", 0))) {}

 private:
  void Run() override {
    if (slurm_kill_job2(job_id_.c_str(), signal_, flags_, nullptr) != SLURM_SUCCESS) Fail("slurm_kill_job2");
  }
  Napi::Value ToJS(Napi::Env env) override { return env.Null(); }

  std::string job_id_;
  uint16_t signal_;
  uint16_t flags_;
};

// ----------------------------------------------------------------------------------------------
// job_steps: slurm_get_job_steps(job_id), the controller's live steps (squeue -s --jobs)

class JobStepsOp : public Op {
 public:
  explicit JobStepsOp(const Napi::Object &a) : job_id_(GetU32(a, "job_id", 0)) {
    if (!job_id_) throw Napi::RangeError::New(a.Env(), "job_id must be a positive integer");
  }
  ~JobStepsOp() override {
    if (msg_) slurm_free_job_step_info_response_msg(msg_);
  }

 private:
  void Run() override {
    if (slurm_get_job_steps(0, job_id_, NO_VAL, &msg_, SHOW_ALL) != SLURM_SUCCESS) {
      msg_ = nullptr;
      Fail("slurm_get_job_steps");
    }
  }
  Napi::Value ToJS(Napi::Env env) override {
    Napi::Array out = Napi::Array::New(env);
    for (uint32_t i = 0; msg_ && i < msg_->job_step_count; i++) {
      const job_step_info_t &s = msg_->job_steps[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("job_id", Num(env, s.step_id.job_id));
      o.Set("step_id", Num(env, s.step_id.step_id));
      o.Set("name", Str(env, s.name));
      o.Set("job_state", Num(env, s.state));
      o.Set("state", Str(env, JobStateName(s.state)));
      o.Set("start_time", Num(env, double(s.start_time)));
      o.Set("nodes", Str(env, s.nodes));
      int count = 0;
      if (s.nodes && *s.nodes) {
        hostlist_t hl = slurm_hostlist_create(s.nodes);
        if (hl) {
          count = slurm_hostlist_count(hl);
          slurm_hostlist_destroy(hl);
        }
      }
      o.Set("node_count", Num(env, count));
      o.Set("num_tasks", Num(env, s.num_tasks));
      out.Set(i, o);
    }
    if (msg_) slurm_free_job_step_info_response_msg(msg_);
    msg_ = nullptr;
    return out;
  }

  uint32_t job_id_;
  job_step_info_response_msg_t *msg_ = nullptr;
};

}  // namespace

std::unique_ptr<Op> MakeJobs(const Args &a, bool since) { return since ? std::make_unique<JobsOp>(a, true) : std::make_unique<JobsOp>(a); }
std::unique_ptr<Op> MakeKill(const Args &a) { return std::make_unique<KillOp>(a); }
std::unique_ptr<Op> MakeJobSteps(const Args &a) { return std::make_unique<JobStepsOp>(a); }
std::unique_ptr<Op> MakeSuspend(const Args &a) { return std::make_unique<JobActionOp>(JobActionOp::Kind::Suspend, a); }
std::unique_ptr<Op> MakeResume(const Args &a) { return std::make_unique<JobActionOp>(JobActionOp::Kind::Resume, a); }
std::unique_ptr<Op> MakeRequeue(const Args &a) { return std::make_unique<JobActionOp>(JobActionOp::Kind::Requeue, a); }

}  // namespace ops
}  // namespace sr
