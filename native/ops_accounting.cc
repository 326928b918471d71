// Accounting (slurmdbd): jobs and their steps as sacct reads them (slurmdb_jobs_get), whether
// slurmdbd answers, and the controller's live steps (slurm_get_job_steps, as `squeue -s`).
//
// Connections: one slurmdb connection per op, opened in Run() on the thread that runs the op and
// closed before Run() returns. Under --auth=jwt the caller's token is already set on that thread
// (Op::Execute's TokenScope) and slurmdbd checks it once, when the persistent connection opens
// (REQUEST_PERSIST_INIT): a connection is therefore never shared between callers, nor kept.
#include "ops_util.h"

extern "C" {
#include <slurm/slurmdb.h>
}

#include <cstring>

namespace sr {
namespace ops {
namespace {

// What sacct prints when it cannot ask (src/sacct/options.c); src/slurm/accounting.ts reads it.
constexpr const char *kDisabled = "Slurm accounting storage is disabled";

bool AccountingConfigured() {
  const slurm_conf_t *conf = helpers().conf;
  const char *type = conf ? conf->accounting_storage_type : nullptr;
  return type && std::strcmp(type, "accounting_storage/slurmdbd") == 0;
}

// A List of C++-owned strings (no destructor: the strings outlive the list, which we destroy).
class StrList {
 public:
  explicit StrList(const std::vector<std::string> &values) : values_(values) {
    if (values_.empty()) return;
    list_ = slurm_list_create(nullptr);
    for (auto &v : values_) slurm_list_append(list_, const_cast<char *>(v.c_str()));
  }
  ~StrList() {
    if (list_) slurm_list_destroy(list_);
  }
  StrList(const StrList &) = delete;
  StrList &operator=(const StrList &) = delete;
  List get() const { return list_; }

 private:
  std::vector<std::string> values_;
  List list_ = nullptr;
};

// A slurmdb connection, opened for this op and closed with it (under --auth=jwt the caller's
// token is checked when it opens, so it is never kept nor shared). Keeping one per thread under
// --auth=none (kKeepPerThread) made execute() on the libuv pool read empty answers in
// test/internal/accounting.test.ts (22.05's client-side slurmdbd plugin keeps process-wide
// connection state): off until that is understood.
constexpr bool kKeepPerThread = false;

class Connection {
 public:
  Connection() : keep_(kKeepPerThread && InitialisedMode() == int(AuthMode::None)) {
    if (keep_ && Kept()) {
      conn_ = Kept();
      reused_ = true;
      return;
    }
    Open();
  }
  ~Connection() {
    if (!conn_) return;
    if (keep_) Kept() = conn_;
    else slurmdb_connection_close(&conn_);
  }
  Connection(const Connection &) = delete;
  Connection &operator=(const Connection &) = delete;
  void *get() const { return conn_; }
  // sacct's test: errno set by slurmdb_connection_get means "Problem talking to the database".
  int error() const { return err_; }
  // Whether this is a kept connection that an earlier op used (a failure on it is worth one retry).
  bool reused() const { return reused_; }
  void Reopen() {
    if (conn_) slurmdb_connection_close(&conn_);
    conn_ = nullptr;
    if (keep_) Kept() = nullptr;
    reused_ = false;
    Open();
  }

 private:
  static void *&Kept() {
    thread_local void *kept = nullptr;
    return kept;
  }
  void Open() {
    errno = 0;
    slurm_seterrno(0);
    conn_ = slurmdb_connection_get(nullptr);
    err_ = errno;
    if (!err_ && !conn_) err_ = slurm_get_errno() ? slurm_get_errno() : SLURM_ERROR;
    if (err_ && conn_) slurmdb_connection_close(&conn_);
    if (err_) conn_ = nullptr;
  }
  bool keep_;
  bool reused_ = false;
  void *conn_ = nullptr;
  int err_ = 0;
};

std::vector<std::string> StringArray(const Napi::Object &a, const char *key) {
  std::vector<std::string> out;
  if (!Has(a, key)) return out;
  Napi::Value v = a.Get(key);
  if (!v.IsArray()) throw Napi::TypeError::New(a.Env(), std::string(key) + " must be an array");
  Napi::Array arr = v.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value e = arr.Get(i);
    if (e.IsString()) out.push_back(e.As<Napi::String>().Utf8Value());
    else if (e.IsNumber()) out.push_back(std::to_string(uint64_t(e.As<Napi::Number>().DoubleValue())));
    else throw Napi::TypeError::New(a.Env(), std::string(key) + " must hold strings or numbers");
  }
  return out;
}

// The TRES of this cluster's database by id: "cpu", "mem", "node", "billing", "gres/gpu", ...
using TresNames = std::map<uint32_t, std::string>;

// "1=2,2=2048,4=1" -> "cpu=2,mem=2048,node=1" (ids the database does not know are left out).
std::string NameTres(const char *ids, const TresNames &names) {
  std::string out;
  if (!ids) return out;
  const char *p = ids;
  while (*p) {
    const char *comma = std::strchr(p, ',');
    std::string item(p, comma ? size_t(comma - p) : std::strlen(p));
    p = comma ? comma + 1 : p + item.size();
    size_t eq = item.find('=');
    if (eq == std::string::npos) continue;
    auto hit = names.find(uint32_t(std::strtoul(item.substr(0, eq).c_str(), nullptr, 10)));
    if (hit == names.end()) continue;
    // NO_VAL64 / INFINITE64: not counted (sacct leaves such entries out, e.g. energy).
    if (std::strtoull(item.substr(eq + 1).c_str(), nullptr, 10) >= NO_VAL64) continue;
    if (!out.empty()) out += ',';
    out += hit->second + "=" + item.substr(eq + 1);
  }
  return out;
}

// The value of TRES `id` in an "id=value,..." string; -1 when absent (sacct prints nothing).
double TresValue(const char *ids, uint32_t id) {
  if (!ids) return -1;
  for (const char *p = ids; p && *p;) {
    char *end = nullptr;
    unsigned long key = std::strtoul(p, &end, 10);
    if (end && *end == '=' && key == id) return double(std::strtoull(end + 1, nullptr, 10));
    p = std::strchr(p, ',');
    if (p) p++;
  }
  return -1;
}

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
    slurmdb_tres_cond_t tres_cond{};
    tres_cond.with_deleted = 1;
    List tres = slurmdb_tres_get(db, &tres_cond);
    if (!tres) return Fail("slurmdb_tres_get", SLURM_ERROR, "DBD_GET_TRES failure: Problem talking to the database"), false;
    ListIterator it = slurm_list_iterator_create(tres);
    while (auto *t = static_cast<slurmdb_tres_rec_t *>(slurm_list_next(it))) {
      std::string name = t->type ? t->type : "";
      if (t->name && *t->name) name += "/" + std::string(t->name);
      tres_[t->id] = name;
    }
    slurm_list_iterator_destroy(it);
    slurm_list_destroy(tres);
    slurmdb_qos_cond_t qos_cond{};
    qos_cond.with_deleted = 1;
    List qos = slurmdb_qos_get(db, &qos_cond);
    if (!qos) return Fail("slurmdb_qos_get", SLURM_ERROR, "DBD_GET_QOS failure: Problem talking to the database"), false;
    it = slurm_list_iterator_create(qos);
    while (auto *q = static_cast<slurmdb_qos_rec_t *>(slurm_list_next(it))) qos_[q->id] = q->name ? q->name : "";
    slurm_list_iterator_destroy(it);
    slurm_list_destroy(qos);
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

// ----------------------------------------------------------------------------------------------
// acct_accounts, acct_user, acct_qos: what sacctmgr show account|user|assoc|qos reads (#11).
// Each op opens its own connection (as the caller) and reads the TRES and QOS names on it, so
// TRES strings go out by name ("cpu=2,mem=1536") and QOS ids as names, as sacctmgr prints them.

// The TRES and QOS of the database by id (deleted ones too); false with the failure recorded.
class NamedOp : public Op {
 protected:
  bool Begin(Connection &db, const char *api) {
    if (!AccountingConfigured()) return Fail(api, SLURM_ERROR, kDisabled), false;
    if (db.error()) return Fail("slurmdb_connection_get", db.error(), std::string("Problem talking to the database: ") + slurm_strerror(db.error())), false;
    slurmdb_tres_cond_t tres_cond{};
    tres_cond.with_deleted = 1;
    List tres = slurmdb_tres_get(db.get(), &tres_cond);
    if (!tres) return Fail("slurmdb_tres_get", SLURM_ERROR, "DBD_GET_TRES failure: Problem talking to the database"), false;
    ListIterator it = slurm_list_iterator_create(tres);
    while (auto *t = static_cast<slurmdb_tres_rec_t *>(slurm_list_next(it))) {
      std::string name = t->type ? t->type : "";
      if (t->name && *t->name) name += "/" + std::string(t->name);
      tres_[t->id] = name;
    }
    slurm_list_iterator_destroy(it);
    slurm_list_destroy(tres);
    return true;
  }
  // QOS id -> name from a slurmdb_qos_get answer.
  void NameQos(List qos) {
    ListIterator it = slurm_list_iterator_create(qos);
    while (auto *q = static_cast<slurmdb_qos_rec_t *>(slurm_list_next(it))) qos_[q->id] = q->name ? q->name : "";
    slurm_list_iterator_destroy(it);
  }
  bool ReadQos(void *db) {
    slurmdb_qos_cond_t cond{};
    cond.with_deleted = 1;
    List qos = slurmdb_qos_get(db, &cond);
    if (!qos) return Fail("slurmdb_qos_get", SLURM_ERROR, "DBD_GET_QOS failure: Problem talking to the database"), false;
    NameQos(qos);
    slurm_list_destroy(qos);
    return true;
  }
  std::string QosName(uint32_t id) const {
    auto hit = qos_.find(id);
    return hit == qos_.end() ? std::string() : hit->second;
  }
  Napi::Value Tres(Napi::Env env, const char *ids) const { return Str(env, NameTres(ids, tres_)); }

  TresNames tres_;
  std::map<uint32_t, std::string> qos_;
};

class AcctAccountsOp : public NamedOp {
 public:
  ~AcctAccountsOp() override {
    if (result_) slurm_list_destroy(result_);
  }

 private:
  void Run() override {
    Connection db;
    if (!Begin(db, "slurmdb_accounts_get")) return;
    // user_list {""}: the accounts' own associations only, not every user's (sacctmgr: user=).
    StrList no_user(std::vector<std::string>{""});
    slurmdb_assoc_cond_t assoc{};
    assoc.user_list = no_user.get();
    slurmdb_account_cond_t cond{};
    cond.assoc_cond = &assoc;
    cond.with_assocs = 1;
    result_ = slurmdb_accounts_get(db.get(), &cond);
    if (!result_) Fail("slurmdb_accounts_get", SLURM_ERROR, "DBD_GET_ACCOUNTS failure: Problem talking to the database");
  }
  Napi::Value ToJS(Napi::Env env) override {
    Napi::Array out = Napi::Array::New(env);
    uint32_t n = 0;
    ListIterator it = slurm_list_iterator_create(result_);
    while (auto *a = static_cast<slurmdb_account_rec_t *>(slurm_list_next(it))) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", Str(env, a->name));
      o.Set("description", Str(env, a->description));
      o.Set("organization", Str(env, a->organization));
      Napi::Array parents = Napi::Array::New(env);
      uint32_t p = 0;
      if (a->assoc_list) {
        ListIterator ai = slurm_list_iterator_create(a->assoc_list);
        while (auto *as = static_cast<slurmdb_assoc_rec_t *>(slurm_list_next(ai))) {
          if (as->user && *as->user) continue;  // a user's association under this account
          Napi::Object q = Napi::Object::New(env);
          q.Set("cluster", Str(env, as->cluster));
          q.Set("parent", Str(env, as->parent_acct));
          parents.Set(p++, q);
        }
        slurm_list_iterator_destroy(ai);
      }
      o.Set("parents", parents);
      out.Set(n++, o);
    }
    slurm_list_iterator_destroy(it);
    slurm_list_destroy(result_);
    result_ = nullptr;
    return out;
  }
  List result_ = nullptr;
};

class AcctUserOp : public NamedOp {
 public:
  explicit AcctUserOp(const Napi::Object &a) : name_(GetString(a, "name")) {}
  ~AcctUserOp() override {
    if (users_) slurm_list_destroy(users_);
    if (assocs_) slurm_list_destroy(assocs_);
  }

 private:
  void Run() override {
    Connection db;
    if (!Begin(db, "slurmdb_users_get") || !ReadQos(db.get())) return;
    StrList names(std::vector<std::string>{name_});
    slurmdb_assoc_cond_t assoc{};
    assoc.user_list = names.get();
    // sacctmgr's own setting without withassoc: slurmdbd then fills default_acct (from the user's
    // default association on this cluster), which it otherwise leaves out.
    assoc.only_defs = 1;
    slurmdb_user_cond_t cond{};
    cond.assoc_cond = &assoc;
    users_ = slurmdb_users_get(db.get(), &cond);
    if (!users_) return Fail("slurmdb_users_get", SLURM_ERROR, "DBD_GET_USERS failure: Problem talking to the database");
    if (!slurm_list_count(users_)) return;  // no such user: null
    slurmdb_assoc_cond_t acond{};
    acond.user_list = names.get();
    assocs_ = slurmdb_associations_get(db.get(), &acond);
    if (!assocs_) Fail("slurmdb_associations_get", SLURM_ERROR, "DBD_GET_ASSOCS failure: Problem talking to the database");
  }
  Napi::Value ToJS(Napi::Env env) override {
    slurmdb_user_rec_t *user = nullptr;
    ListIterator it = slurm_list_iterator_create(users_);
    while (auto *u = static_cast<slurmdb_user_rec_t *>(slurm_list_next(it))) {
      if (u->name && name_ == u->name) user = u;
    }
    slurm_list_iterator_destroy(it);
    if (!user) return env.Null();
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", Str(env, user->name));
    o.Set("default_account", Str(env, user->default_acct));
    o.Set("admin_level", Num(env, user->admin_level));
    Napi::Array list = Napi::Array::New(env);
    uint32_t n = 0;
    it = slurm_list_iterator_create(assocs_);
    while (auto *a = static_cast<slurmdb_assoc_rec_t *>(slurm_list_next(it))) {
      if (!a->user || name_ != a->user) continue;
      Napi::Object r = Napi::Object::New(env);
      r.Set("cluster", Str(env, a->cluster));
      r.Set("account", Str(env, a->acct));
      r.Set("partition", Str(env, a->partition));
      Napi::Array qos = Napi::Array::New(env);
      uint32_t q = 0;
      if (a->qos_list) {
        ListIterator qi = slurm_list_iterator_create(a->qos_list);
        while (auto *id = static_cast<char *>(slurm_list_next(qi))) {
          std::string name = QosName(uint32_t(std::strtoul(id, nullptr, 10)));
          if (!name.empty()) qos.Set(q++, Str(env, name));
        }
        slurm_list_iterator_destroy(qi);
      }
      r.Set("qos", qos);
      std::string def = a->def_qos_id && a->def_qos_id != NO_VAL && a->def_qos_id != INFINITE ? QosName(a->def_qos_id) : "";
      r.Set("default_qos", def.empty() ? env.Null() : Str(env, def));
      r.Set("max_wall", Num(env, a->max_wall_pj));
      r.Set("max_tres_per_job", Tres(env, a->max_tres_pj));
      r.Set("grp_tres", Tres(env, a->grp_tres));
      r.Set("max_jobs", Num(env, a->max_jobs));
      r.Set("max_submit_jobs", Num(env, a->max_submit_jobs));
      r.Set("grp_jobs", Num(env, a->grp_jobs));
      list.Set(n++, r);
    }
    slurm_list_iterator_destroy(it);
    o.Set("associations", list);
    slurm_list_destroy(users_);
    users_ = nullptr;
    if (assocs_) slurm_list_destroy(assocs_);
    assocs_ = nullptr;
    return o;
  }
  std::string name_;
  List users_ = nullptr;
  List assocs_ = nullptr;
};

class AcctQosOp : public NamedOp {
 public:
  ~AcctQosOp() override {
    if (result_) slurm_list_destroy(result_);
  }

 private:
  void Run() override {
    Connection db;
    if (!Begin(db, "slurmdb_qos_get")) return;
    slurmdb_qos_cond_t cond{};
    result_ = slurmdb_qos_get(db.get(), &cond);
    if (!result_) Fail("slurmdb_qos_get", SLURM_ERROR, "DBD_GET_QOS failure: Problem talking to the database");
  }
  Napi::Value ToJS(Napi::Env env) override {
    Napi::Array out = Napi::Array::New(env);
    uint32_t n = 0;
    ListIterator it = slurm_list_iterator_create(result_);
    while (auto *q = static_cast<slurmdb_qos_rec_t *>(slurm_list_next(it))) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", Str(env, q->name));
      o.Set("priority", Num(env, q->priority));
      o.Set("max_wall", Num(env, q->max_wall_pj));
      o.Set("max_tres_per_job", Tres(env, q->max_tres_pj));
      o.Set("max_tres_per_user", Tres(env, q->max_tres_pu));
      o.Set("max_jobs_per_user", Num(env, q->max_jobs_pu));
      o.Set("max_submit_jobs_per_user", Num(env, q->max_submit_jobs_pu));
      o.Set("grp_tres", Tres(env, q->grp_tres));
      o.Set("flags", Num(env, q->flags));
      out.Set(n++, o);
    }
    slurm_list_iterator_destroy(it);
    slurm_list_destroy(result_);
    result_ = nullptr;
    return out;
  }
  List result_ = nullptr;
};

}  // namespace

std::unique_ptr<Op> MakeAcctJobs(const Args &a) { return std::make_unique<AcctJobsOp>(a); }
std::unique_ptr<Op> MakeAcctPing(const Args &) { return std::make_unique<AcctPingOp>(); }
std::unique_ptr<Op> MakeJobSteps(const Args &a) { return std::make_unique<JobStepsOp>(a); }
std::unique_ptr<Op> MakeAcctAccounts(const Args &) { return std::make_unique<AcctAccountsOp>(); }
std::unique_ptr<Op> MakeAcctUser(const Args &a) { return std::make_unique<AcctUserOp>(a); }
std::unique_ptr<Op> MakeAcctQos(const Args &) { return std::make_unique<AcctQosOp>(); }

}  // namespace ops
}  // namespace sr
