// Accounting (slurmdbd): jobs and their steps as sacct reads them (slurmdb_jobs_get), and whether
// slurmdbd answers. (The controller's live steps are in ops_jobs.cc; accounts, users and QOS in
// ops_assoc.cc; what these share in slurmdb_util.h.)
//
// Connections: one slurmdb connection per op, opened in Run() on the thread that runs the op and
// closed before Run() returns. Under --auth=jwt the caller's token is already set on that thread
// (Op::Execute's TokenScope) and slurmdbd checks it once, when the persistent connection opens
// (REQUEST_PERSIST_INIT): a connection is therefore never shared between callers, nor kept.
#include "slurmdb_util.h"

namespace sr {
namespace ops {
namespace {

using namespace db;

// ----------------------------------------------------------------------------------------------
// acct_jobs: slurmdb_jobs_get with a job condition, as sacct builds it

class AcctJobsOp : public Op {
 public:
  explicit AcctJobsOp(const Napi::Object &a)
      : users_(StringArray(a, "user_ids")),
        accounts_(StringArray(a, "accounts")),
        partitions_(StringArray(a, "partitions")),
        names_(StringArray(a, "names")),
        states_(StringArray(a, "states")),
        usage_start_(time_t(Has(a, "usage_start") ? GetNumber(a, "usage_start") : 0)),
        usage_end_(time_t(Has(a, "usage_end") ? GetNumber(a, "usage_end") : 0)),
        steps_(Has(a, "steps") && a.Get("steps").ToBoolean().Value()) {
    if (Has(a, "jobs")) {
      Napi::Value v = a.Get("jobs");
      if (!v.IsArray()) throw Napi::TypeError::New(a.Env(), "jobs must be an array");
      Napi::Array arr = v.As<Napi::Array>();
      for (uint32_t i = 0; i < arr.Length(); i++) {
        if (!arr.Get(i).IsObject()) throw Napi::TypeError::New(a.Env(), "jobs must hold { job_id, task_id? }");
        Napi::Object o = arr.Get(i).As<Napi::Object>();
        slurm_selected_step_t s{};
        s.array_task_id = GetU32(o, "task_id", NO_VAL);
        s.het_job_offset = NO_VAL;
        s.step_id.job_id = GetU32(o, "job_id", 0);
        s.step_id.step_het_comp = NO_VAL;
        s.step_id.step_id = NO_VAL;
        if (!s.step_id.job_id) throw Napi::RangeError::New(a.Env(), "job_id must be a positive integer");
        jobs_.push_back(s);
      }
    }
  }
  ~AcctJobsOp() override { Free(); }

 private:
  void Free() {
    if (result_) slurm_list_destroy(result_);
    result_ = nullptr;
  }

  void Run() override {
    if (!AccountingConfigured()) return Fail("slurmdb_jobs_get", SLURM_ERROR, kDisabled);
    Connection db;
    if (db.error()) return Fail("slurmdb_connection_get", db.error(), std::string("Problem talking to the database: ") + slurm_strerror(db.error()));
    if (!Query(db) && db.reused()) {
      Reset();  // a kept connection may have gone stale: once more on a new one
      db.Reopen();
      if (db.error()) return Fail("slurmdb_connection_get", db.error(), std::string("Problem talking to the database: ") + slurm_strerror(db.error()));
      Query(db);
    }
  }

  void Reset() {
    ClearFailure();
    tres_.clear();
    qos_.clear();
    Free();
  }

  // The names, then the jobs; false (with the failure recorded) when a query failed.
  bool Query(Connection &db) {
    if (!LoadNames(db.get())) return false;

    const char *cluster = helpers().conf ? helpers().conf->cluster_name : nullptr;
    StrList clusters(cluster ? std::vector<std::string>{cluster} : std::vector<std::string>{});
    List step_list = nullptr;
    if (!jobs_.empty()) {
      step_list = slurm_list_create(nullptr);  // the elements are jobs_'s, freed with this op
      for (auto &s : jobs_) slurm_list_append(step_list, &s);
    }
    slurmdb_job_cond_t cond{};
    cond.acct_list = accounts_.get();
    cond.cluster_list = clusters.get();
    cond.jobname_list = names_.get();
    cond.partition_list = partitions_.get();
    cond.state_list = states_.get();
    cond.userid_list = users_.get();
    cond.step_list = step_list;
    cond.db_flags = SLURMDB_JOB_FLAG_NOTSET;
    cond.flags = JOBCOND_FLAG_NO_TRUNC | (steps_ ? 0 : JOBCOND_FLAG_NO_STEP);
    cond.usage_start = usage_start_;
    cond.usage_end = usage_end_;
    cond.exitcode = 0;
    slurm_seterrno(0);
    result_ = slurmdb_jobs_get(db.get(), &cond);
    int err = slurm_get_errno();
    if (step_list) slurm_list_destroy(step_list);
    if (!result_) {
      Fail("slurmdb_jobs_get", err ? err : SLURM_ERROR, std::string("DBD_GET_JOBS_COND failure: ") + slurm_strerror(err ? err : SLURM_ERROR));
      return false;
    }
    if (!NamesCover()) {
      tres_.clear();
      qos_.clear();
      return ReadNames(db.get());
    }
    return true;
  }

  // TRES ids -> names, QOS ids -> names (deleted ones too: old jobs). Kept process-wide: ids are
  // never reused by slurmdbd; read again (on this op's connection) when a record names an id the
  // copy lacks (a TRES or QOS added since).
  struct Names {
    std::mutex mutex;
    TresNames tres;
    std::map<uint32_t, std::string> qos;
  };
  static Names &Cached() {
    static Names names;
    return names;
  }

  bool LoadNames(void *db) {
    Names &cached = Cached();
    {
      std::lock_guard<std::mutex> lock(cached.mutex);
      if (!cached.tres.empty()) {
        tres_ = cached.tres;
        qos_ = cached.qos;
        return true;
      }
    }
    return ReadNames(db);
  }

  bool ReadNames(void *db) {
    if (!ReadTresNames(db, tres_)) return Fail("slurmdb_tres_get", SLURM_ERROR, "DBD_GET_TRES failure: Problem talking to the database"), false;
    if (!ReadQosNames(db, qos_)) return Fail("slurmdb_qos_get", SLURM_ERROR, "DBD_GET_QOS failure: Problem talking to the database"), false;
    Names &cached = Cached();
    std::lock_guard<std::mutex> lock(cached.mutex);
    cached.tres = tres_;
    cached.qos = qos_;
    return true;
  }

  // Whether every TRES and QOS id in the answer has a name.
  bool NamesCover() const {
    ListIterator it = slurm_list_iterator_create(result_);
    bool ok = true;
    auto known = [&](const char *ids) {
      for (const char *p = ids; ok && p && *p;) {
        if (!tres_.count(uint32_t(std::strtoul(p, nullptr, 10)))) ok = false;
        p = std::strchr(p, ',');
        if (p) p++;
      }
    };
    while (ok) {
      auto *j = static_cast<slurmdb_job_rec_t *>(slurm_list_next(it));
      if (!j) break;
      known(j->tres_alloc_str);
      known(j->tres_req_str);
      if (j->qosid && !qos_.count(j->qosid)) ok = false;
    }
    slurm_list_iterator_destroy(it);
    return ok;
  }

  Napi::Value ToJS(Napi::Env env) override {
    UserNames users;
    Napi::Array out = Napi::Array::New(env);
    uint32_t n = 0;
    ListIterator it = slurm_list_iterator_create(result_);
    while (auto *j = static_cast<slurmdb_job_rec_t *>(slurm_list_next(it))) out.Set(n++, Job(env, *j, users));
    slurm_list_iterator_destroy(it);
    Free();
    return out;
  }

  Napi::Value Job(Napi::Env env, const slurmdb_job_rec_t &j, UserNames &users) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("job_id", Num(env, j.jobid));
    o.Set("array_job_id", Num(env, j.array_job_id));
    o.Set("array_task_id", Num(env, j.array_task_id));
    o.Set("array_task_str", Str(env, j.array_task_str));
    o.Set("array_max_tasks", Num(env, j.array_max_tasks));
    o.Set("db_index", U64(env, j.db_index));
    o.Set("name", Str(env, j.jobname));
    o.Set("uid", Num(env, j.uid));
    // sacct's User: the record's user, else uid_to_string(uid).
    o.Set("user", j.user ? Str(env, j.user) : Str(env, users.Name(j.uid)));
    o.Set("account", Str(env, j.account));
    o.Set("partition", Str(env, j.partition));
    auto q = qos_.find(j.qosid);
    o.Set("qos", q == qos_.end() ? env.Null() : Str(env, q->second));
    o.Set("cluster", Str(env, j.cluster));
    o.Set("job_state", Num(env, j.state));
    o.Set("state", Str(env, JobStateName(j.state)));
    o.Set("exitcode", Num(env, j.exitcode));
    o.Set("derived_ec", Num(env, j.derived_ec));
    o.Set("elapsed", Num(env, j.elapsed));
    o.Set("submit", Num(env, double(j.submit)));
    o.Set("eligible", Num(env, double(j.eligible)));
    o.Set("start", Num(env, double(j.start)));
    o.Set("end", Num(env, double(j.end)));
    o.Set("timelimit", Num(env, j.timelimit));
    o.Set("priority", Num(env, j.priority));
    o.Set("nodes", Str(env, j.nodes));
    o.Set("alloc_nodes", Num(env, j.alloc_nodes));
    o.Set("req_cpus", Num(env, j.req_cpus));
    o.Set("tres_alloc", Str(env, NameTres(j.tres_alloc_str, tres_)));
    o.Set("tres_req", Str(env, NameTres(j.tres_req_str, tres_)));
    o.Set("tot_cpu_sec", U64(env, j.tot_cpu_sec));
    o.Set("tot_cpu_usec", U64(env, j.tot_cpu_usec));
    o.Set("work_dir", Str(env, j.work_dir));
    Napi::Array steps = Napi::Array::New(env);
    uint32_t n = 0;
    if (j.steps) {
      ListIterator it = slurm_list_iterator_create(j.steps);
      while (auto *s = static_cast<slurmdb_step_rec_t *>(slurm_list_next(it))) steps.Set(n++, Step(env, *s));
      slurm_list_iterator_destroy(it);
    }
    o.Set("steps", steps);
    return o;
  }

  Napi::Value Step(Napi::Env env, const slurmdb_step_rec_t &s) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("job_id", Num(env, s.step_id.job_id));
    o.Set("step_id", Num(env, s.step_id.step_id));
    o.Set("name", Str(env, s.stepname));
    o.Set("job_state", Num(env, s.state));
    o.Set("state", Str(env, JobStateName(s.state)));
    o.Set("exitcode", Num(env, s.exitcode));
    o.Set("elapsed", Num(env, s.elapsed));
    o.Set("start", Num(env, double(s.start)));
    o.Set("end", Num(env, double(s.end)));
    o.Set("nnodes", Num(env, s.nnodes));
    o.Set("nodes", Str(env, s.nodes));
    o.Set("ntasks", Num(env, s.ntasks));
    o.Set("tres_alloc", Str(env, NameTres(s.tres_alloc_str, tres_)));
    o.Set("tot_cpu_sec", U64(env, s.tot_cpu_sec));
    o.Set("tot_cpu_usec", Num(env, s.tot_cpu_usec));
    uint32_t mem = 0;
    for (auto &[id, name] : tres_) if (name == "mem") mem = id;
    double rss = mem ? TresValue(s.stats.tres_usage_in_max, mem) : -1;
    o.Set("max_rss", rss < 0 ? env.Null() : Num(env, rss));
    return o;
  }

  StrList users_, accounts_, partitions_, names_, states_;
  time_t usage_start_, usage_end_;
  bool steps_;
  std::vector<slurm_selected_step_t> jobs_;
  TresNames tres_;
  std::map<uint32_t, std::string> qos_;
  List result_ = nullptr;
};

// ----------------------------------------------------------------------------------------------
// acct_ping: whether slurmdbd accepts a connection (as the caller), never a failure

class AcctPingOp : public Op {
  void Run() override {
    if (!AccountingConfigured()) {
      status_ = "not_configured";
      reason_ = kDisabled;
      return;
    }
    Connection db;
    if (db.error()) {
      status_ = "down";
      reason_ = std::string("Problem talking to the database: ") + slurm_strerror(db.error());
      return;
    }
    // The connection is made; one small query proves slurmdbd answers on it.
    slurmdb_tres_cond_t cond{};
    List tres = slurmdb_tres_get(db.get(), &cond);
    if (!tres && db.reused()) {
      db.Reopen();
      if (!db.error()) tres = slurmdb_tres_get(db.get(), &cond);
    }
    if (db.error()) {
      status_ = "down";
      reason_ = std::string("Problem talking to the database: ") + slurm_strerror(db.error());
      return;
    }
    if (!tres) {
      status_ = "down";
      reason_ = "DBD_GET_TRES failure: Problem talking to the database";
      return;
    }
    slurm_list_destroy(tres);
    status_ = "up";
  }
  Napi::Value ToJS(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("status", Str(env, status_));
    out.Set("reason", reason_.empty() ? env.Null() : Str(env, reason_));
    return out;
  }

  std::string status_;
  std::string reason_;
};


}  // namespace

std::unique_ptr<Op> MakeAcctJobs(const Args &a) { return std::make_unique<AcctJobsOp>(a); }
std::unique_ptr<Op> MakeAcctPing(const Args &) { return std::make_unique<AcctPingOp>(); }

}  // namespace ops
}  // namespace sr
