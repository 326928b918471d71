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

Napi::Error Op::ToError(Napi::Env env, const Failure &failure) {
  Napi::Error error = Napi::Error::New(env, failure.api + ": " + failure.message);
  error.Set("slurmErrno", Napi::Number::New(env, failure.err));
  error.Set("slurmError", Napi::String::New(env, failure.message));
  error.Set("api", Napi::String::New(env, failure.api));
  return error;
}

namespace {

// ----------------------------------------------------------------------------------------------
// JS conversion helpers

Napi::Value Str(Napi::Env env, const char *s) { return s ? Napi::Value(Napi::String::New(env, s)) : env.Null(); }
Napi::Value Str(Napi::Env env, const std::string &s) { return Napi::String::New(env, s); }
Napi::Value Num(Napi::Env env, double n) { return Napi::Number::New(env, n); }
// uint64 values past 2^53 are Slurm's sentinels (NO_VAL64, INFINITE64): null in JS.
Napi::Value U64(Napi::Env env, uint64_t n) {
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

Napi::Object ArgsObject(const Napi::Value &args) {
  if (args.IsUndefined() || args.IsNull()) return Napi::Object::New(args.Env());
  if (!args.IsObject()) throw Napi::TypeError::New(args.Env(), "arguments must be an object");
  return args.As<Napi::Object>();
}

bool Has(const Napi::Object &o, const char *key) {
  return o.Has(key) && !o.Get(key).IsUndefined() && !o.Get(key).IsNull();
}

std::string GetString(const Napi::Object &o, const char *key) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

double GetNumber(const Napi::Object &o, const char *key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

uint32_t GetU32(const Napi::Object &o, const char *key, uint32_t fallback) {
  if (!Has(o, key)) return fallback;
  double d = GetNumber(o, key);
  if (d < 0 || d > 4294967295.0 || d != double(uint64_t(d))) {
    throw Napi::RangeError::New(o.Env(), std::string(key) + " must be an unsigned 32-bit integer");
  }
  return uint32_t(d);
}

// ----------------------------------------------------------------------------------------------
// ping: `scontrol ping` (every configured controller) + ClusterName when one answers

class PingOp : public Op {
  void Run() override {
    int count = helpers().conf && helpers().conf->control_cnt > 0 ? int(helpers().conf->control_cnt) : 1;
    for (int i = 0; i < count; i++) up_.push_back(slurm_ping(i) == SLURM_SUCCESS);
    bool any = false;
    for (bool u : up_) any = any || u;
    if (any && slurm_load_ctl_conf(0, &conf_) != SLURM_SUCCESS) conf_ = nullptr;
  }
  Napi::Value ToJS(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    Napi::Array up = Napi::Array::New(env, up_.size());
    for (size_t i = 0; i < up_.size(); i++) up.Set(uint32_t(i), Napi::Boolean::New(env, up_[i]));
    out.Set("controllers_up", up);
    out.Set("cluster_name", conf_ ? Str(env, conf_->cluster_name) : env.Null());
    out.Set("library_version", Str(env, LibraryVersion()));
    return out;
  }

 public:
  ~PingOp() override {
    if (conf_) slurm_free_ctl_conf(conf_);
  }

 private:
  std::vector<bool> up_;
  slurm_conf_t *conf_ = nullptr;
};

// ----------------------------------------------------------------------------------------------
// config: the parts of `scontrol show config` the gateway reads

class ConfigOp : public Op {
  void Run() override {
    if (slurm_load_ctl_conf(0, &conf_) != SLURM_SUCCESS) {
      conf_ = nullptr;
      Fail("slurm_load_ctl_conf");
    }
  }
  Napi::Value ToJS(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("cluster_name", Str(env, conf_->cluster_name));
    out.Set("version", Str(env, conf_->version));
    Napi::Array hosts = Napi::Array::New(env, conf_->control_cnt);
    for (uint32_t i = 0; i < conf_->control_cnt; i++) {
      Napi::Object host = Napi::Object::New(env);
      host.Set("machine", Str(env, conf_->control_machine ? conf_->control_machine[i] : nullptr));
      host.Set("addr", Str(env, conf_->control_addr ? conf_->control_addr[i] : nullptr));
      hosts.Set(i, host);
    }
    out.Set("controllers", hosts);
    slurm_free_ctl_conf(conf_);
    conf_ = nullptr;
    return out;
  }

 public:
  ~ConfigOp() override {
    if (conf_) slurm_free_ctl_conf(conf_);
  }

 private:
  slurm_conf_t *conf_ = nullptr;
};

// ----------------------------------------------------------------------------------------------
// statistics: sdiag

class StatsOp : public Op {
  void Run() override {
    stats_info_request_msg_t req{};
    req.command_id = STAT_COMMAND_GET;
    if (slurm_get_statistics(&stats_, &req) != SLURM_SUCCESS) {
      stats_ = nullptr;
      Fail("slurm_get_statistics");
    }
  }
  Napi::Value ToJS(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    const stats_info_response_msg_t *s = stats_;
    out.Set("req_time", Num(env, double(s->req_time)));
    out.Set("req_time_start", Num(env, double(s->req_time_start)));
    out.Set("server_thread_count", Num(env, s->server_thread_count));
    out.Set("agent_queue_size", Num(env, s->agent_queue_size));
    out.Set("agent_count", Num(env, s->agent_count));
    out.Set("agent_thread_count", Num(env, s->agent_thread_count));
    out.Set("dbd_agent_queue_size", Num(env, s->dbd_agent_queue_size));
    out.Set("jobs_submitted", Num(env, s->jobs_submitted));
    out.Set("jobs_started", Num(env, s->jobs_started));
    out.Set("jobs_completed", Num(env, s->jobs_completed));
    out.Set("jobs_canceled", Num(env, s->jobs_canceled));
    out.Set("jobs_failed", Num(env, s->jobs_failed));
    out.Set("jobs_pending", Num(env, s->jobs_pending));
    out.Set("jobs_running", Num(env, s->jobs_running));
    out.Set("schedule_cycle_last", Num(env, s->schedule_cycle_last));
    out.Set("schedule_cycle_max", Num(env, s->schedule_cycle_max));
    out.Set("schedule_cycle_sum", Num(env, s->schedule_cycle_sum));
    out.Set("schedule_cycle_counter", Num(env, s->schedule_cycle_counter));
    Napi::Array rpcs = Napi::Array::New(env, s->rpc_type_size);
    for (uint32_t i = 0; i < s->rpc_type_size; i++) {
      Napi::Object rpc = Napi::Object::New(env);
      rpc.Set("id", Num(env, s->rpc_type_id[i]));
      rpc.Set("name", Str(env, RpcName(s->rpc_type_id[i])));
      rpc.Set("count", Num(env, s->rpc_type_cnt[i]));
      rpc.Set("total_time", U64(env, s->rpc_type_time[i]));
      rpcs.Set(i, rpc);
    }
    out.Set("rpc_types", rpcs);
    slurm_free_stats_response_msg(stats_);
    stats_ = nullptr;
    return out;
  }

 public:
  ~StatsOp() override {
    if (stats_) slurm_free_stats_response_msg(stats_);
  }

 private:
  stats_info_response_msg_t *stats_ = nullptr;
};

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
        "std_err", "batch_flag", "comment"};
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
        Str(env, j.std_err), Num(env, j.batch_flag), Str(env, j.comment)};
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

// ----------------------------------------------------------------------------------------------
// nodes: slurm_load_partitions + slurm_load_node, as sinfo reads them

class NodesOp : public Op {
 public:
  explicit NodesOp(const Napi::Object &a) : flags_(uint16_t(GetU32(a, "show_flags", 0))) {}
  ~NodesOp() override {
    if (parts_) slurm_free_partition_info_msg(parts_);
    if (nodes_) slurm_free_node_info_msg(nodes_);
  }

 private:
  void Run() override {
    if (slurm_load_partitions(0, &parts_, flags_) != SLURM_SUCCESS) {
      parts_ = nullptr;
      return Fail("slurm_load_partitions");
    }
    if (slurm_load_node(0, &nodes_, flags_) != SLURM_SUCCESS) {
      nodes_ = nullptr;
      return Fail("slurm_load_node");
    }
  }

  Napi::Value ToJS(Napi::Env env) override {
    // node_inx: index pairs into the node table, -1 terminated; partitions in table order.
    std::vector<std::vector<uint32_t>> member(nodes_->record_count);
    for (uint32_t p = 0; p < parts_->record_count; p++) {
      const int32_t *inx = parts_->partition_array[p].node_inx;
      for (int k = 0; inx && inx[k] >= 0; k += 2) {
        for (int32_t n = inx[k]; n <= inx[k + 1] && n < int32_t(nodes_->record_count); n++) member[n].push_back(p);
      }
    }
    Napi::Array out = Napi::Array::New(env);
    uint32_t count = 0;
    for (uint32_t i = 0; i < nodes_->record_count; i++) {
      node_info_t &n = nodes_->node_array[i];
      if (!n.name) continue;  // a hole in the node table (removed dynamic node)
      uint16_t alloc_cpus = 0;
      uint64_t alloc_mem = 0;
      slurm_get_select_nodeinfo(n.select_nodeinfo, SELECT_NODEDATA_SUBCNT, NODE_STATE_ALLOCATED, &alloc_cpus);
      slurm_get_select_nodeinfo(n.select_nodeinfo, SELECT_NODEDATA_MEM_ALLOC, NODE_STATE_ALLOCATED, &alloc_mem);
      uint32_t state = n.node_state;
      // sinfo's view: a node with some but not all CPUs allocated is MIXED (unless draining).
      if (!(state & NODE_STATE_DRAIN)) {
        uint16_t idle = uint16_t(n.cpus_efctv - alloc_cpus);
        if (idle && idle != n.cpus_efctv) state = (state & NODE_STATE_FLAGS) | NODE_STATE_MIXED;
      }
      uint32_t base = state & NODE_STATE_BASE;
      bool other = (state & NODE_STATE_DRAIN) || base == NODE_STATE_DOWN;
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", Str(env, n.name));
      o.Set("node_state", Num(env, state));
      o.Set("state_complete", Str(env, NodeStateComplete(state)));
      o.Set("cpus", Num(env, n.cpus));
      o.Set("cpus_alloc", Num(env, alloc_cpus));
      o.Set("cpus_idle", Num(env, other ? 0 : int(n.cpus) - int(alloc_cpus)));
      o.Set("cpus_other", Num(env, other ? int(n.cpus) - int(alloc_cpus) : 0));
      o.Set("real_memory", U64(env, n.real_memory));
      o.Set("alloc_memory", U64(env, alloc_mem));
      o.Set("free_mem", U64(env, n.free_mem));
      o.Set("features", Str(env, n.features));
      o.Set("reason", Str(env, n.reason));
      Napi::Array parts = Napi::Array::New(env, member[i].size());
      for (size_t k = 0; k < member[i].size(); k++) parts.Set(uint32_t(k), Str(env, parts_->partition_array[member[i][k]].name));
      o.Set("partitions", parts);
      out.Set(count++, o);
    }
    slurm_free_partition_info_msg(parts_);
    slurm_free_node_info_msg(nodes_);
    parts_ = nullptr;
    nodes_ = nullptr;
    return out;
  }

  uint16_t flags_;
  partition_info_msg_t *parts_ = nullptr;
  node_info_msg_t *nodes_ = nullptr;
};

// ----------------------------------------------------------------------------------------------
// partitions: slurm_load_partitions, as `scontrol show partition` reads them

class PartitionsOp : public Op {
 public:
  explicit PartitionsOp(const Napi::Object &a) : flags_(uint16_t(GetU32(a, "show_flags", 0))) {}
  ~PartitionsOp() override {
    if (parts_) slurm_free_partition_info_msg(parts_);
  }

 private:
  void Run() override {
    if (slurm_load_partitions(0, &parts_, flags_) != SLURM_SUCCESS) {
      parts_ = nullptr;
      Fail("slurm_load_partitions");
    }
  }
  Napi::Value ToJS(Napi::Env env) override {
    Napi::Array out = Napi::Array::New(env, parts_->record_count);
    for (uint32_t i = 0; i < parts_->record_count; i++) {
      const partition_info_t &p = parts_->partition_array[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", Str(env, p.name));
      o.Set("state_up", Num(env, p.state_up));
      o.Set("state", Str(env, p.state_up == PARTITION_UP ? "UP" : p.state_up == PARTITION_DOWN ? "DOWN"
                                : p.state_up == PARTITION_INACTIVE ? "INACTIVE" : p.state_up == PARTITION_DRAIN ? "DRAIN"
                                : "UNKNOWN"));
      o.Set("default", Napi::Boolean::New(env, p.flags & PART_FLAG_DEFAULT));
      o.Set("hidden", Napi::Boolean::New(env, p.flags & PART_FLAG_HIDDEN));
      o.Set("nodes", Str(env, p.nodes));
      o.Set("total_nodes", Num(env, p.total_nodes));
      o.Set("total_cpus", Num(env, p.total_cpus));
      o.Set("max_time", Num(env, p.max_time));
      o.Set("default_time", Num(env, p.default_time));
      o.Set("max_nodes", Num(env, p.max_nodes));
      o.Set("min_nodes", Num(env, p.min_nodes));
      out.Set(i, o);
    }
    slurm_free_partition_info_msg(parts_);
    parts_ = nullptr;
    return out;
  }

  uint16_t flags_;
  partition_info_msg_t *parts_ = nullptr;
};

// ----------------------------------------------------------------------------------------------
// job descriptors (submit and update): the TS side decides every value; this only copies them.

class JobDesc {
 public:
  JobDesc() { slurm_init_job_desc_msg(&desc_); }

  // Fills desc_ from a plain object. Strings are kept alive here; unknown keys are refused.
  void From(const Napi::Object &o) {
    static const std::map<std::string, char *job_desc_msg_t::*> strings = {
        {"name", &job_desc_msg_t::name},         {"partition", &job_desc_msg_t::partition},
        {"work_dir", &job_desc_msg_t::work_dir}, {"std_out", &job_desc_msg_t::std_out},
        {"std_err", &job_desc_msg_t::std_err},   {"account", &job_desc_msg_t::account},
        {"qos", &job_desc_msg_t::qos},           {"comment", &job_desc_msg_t::comment},
        {"array_inx", &job_desc_msg_t::array_inx}, {"dependency", &job_desc_msg_t::dependency},
        {"script", &job_desc_msg_t::script},     {"job_id_str", &job_desc_msg_t::job_id_str},
        {"std_in", &job_desc_msg_t::std_in},
    };
    static const std::map<std::string, uint32_t job_desc_msg_t::*> u32 = {
        {"time_limit", &job_desc_msg_t::time_limit}, {"min_nodes", &job_desc_msg_t::min_nodes},
        {"max_nodes", &job_desc_msg_t::max_nodes},   {"num_tasks", &job_desc_msg_t::num_tasks},
        {"min_cpus", &job_desc_msg_t::min_cpus},     {"priority", &job_desc_msg_t::priority},
        {"user_id", &job_desc_msg_t::user_id},       {"group_id", &job_desc_msg_t::group_id},
        {"nice", &job_desc_msg_t::nice},         {"alloc_sid", &job_desc_msg_t::alloc_sid},
    };
    Napi::Array keys = o.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); i++) {
      std::string key = keys.Get(i).As<Napi::String>().Utf8Value();
      if (!Has(o, key.c_str())) continue;
      if (auto s = strings.find(key); s != strings.end()) {
        store_.push_back(std::make_unique<std::string>(GetString(o, key.c_str())));
        desc_.*(s->second) = const_cast<char *>(store_.back()->c_str());
      } else if (auto n = u32.find(key); n != u32.end()) {
        desc_.*(n->second) = GetU32(o, key.c_str(), 0);
      } else if (key == "cpus_per_task") {
        desc_.cpus_per_task = uint16_t(GetU32(o, "cpus_per_task", 0));
      } else if (key == "pn_min_cpus") {
        desc_.pn_min_cpus = uint16_t(GetU32(o, "pn_min_cpus", 0));
      } else if (key == "contiguous") {
        desc_.contiguous = uint16_t(GetU32(o, "contiguous", 0));
      } else if (key == "mail_type") {
        desc_.mail_type = uint16_t(GetU32(o, "mail_type", 0));
      } else if (key == "pn_min_memory") {
        desc_.pn_min_memory = uint64_t(GetNumber(o, "pn_min_memory"));
      } else if (key == "bitflags") {
        desc_.bitflags |= uint64_t(GetNumber(o, "bitflags"));
      } else if (key == "environment" || key == "argv") {
        Napi::Value v = o.Get(key);
        if (!v.IsArray()) throw Napi::TypeError::New(o.Env(), key + " must be an array of strings");
        Napi::Array arr = v.As<Napi::Array>();
        auto &list = key == "environment" ? env_ : argv_;
        for (uint32_t k = 0; k < arr.Length(); k++) {
          if (!arr.Get(k).IsString()) throw Napi::TypeError::New(o.Env(), key + " must be an array of strings");
          store_.push_back(std::make_unique<std::string>(arr.Get(k).As<Napi::String>().Utf8Value()));
          list.push_back(const_cast<char *>(store_.back()->c_str()));
        }
        list.push_back(nullptr);
        if (key == "environment") {
          desc_.environment = env_.data();
          desc_.env_size = uint32_t(env_.size() - 1);
        } else {
          desc_.argv = argv_.data();
          desc_.argc = uint32_t(argv_.size() - 1);
        }
      } else {
        throw Napi::TypeError::New(o.Env(), "unknown job descriptor field: " + key);
      }
    }
  }

  job_desc_msg_t *get() { return &desc_; }

 private:
  job_desc_msg_t desc_;
  std::vector<std::unique_ptr<std::string>> store_;
  std::vector<char *> env_, argv_;
};

class SubmitOp : public Op {
 public:
  explicit SubmitOp(const Napi::Object &a) { desc_.From(a); }
  ~SubmitOp() override {
    if (resp_) slurm_free_submit_response_response_msg(resp_);
  }

 private:
  void Run() override {
    if (slurm_submit_batch_job(desc_.get(), &resp_) != SLURM_SUCCESS) {
      resp_ = nullptr;
      Fail("slurm_submit_batch_job");
    }
  }
  Napi::Value ToJS(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("job_id", Num(env, resp_->job_id));
    out.Set("error_code", Num(env, resp_->error_code));
    out.Set("user_msg", Str(env, resp_->job_submit_user_msg));
    slurm_free_submit_response_response_msg(resp_);
    resp_ = nullptr;
    return out;
  }

  JobDesc desc_;
  submit_response_msg_t *resp_ = nullptr;
};

// Array-aware job actions answer one error code per job id they touched.
Napi::Value ArrayResponse(Napi::Env env, job_array_resp_msg_t *resp) {
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

class UpdateOp : public Op {
 public:
  explicit UpdateOp(const Napi::Object &a) { desc_.From(a); }
  ~UpdateOp() override {
    if (resp_) slurm_free_job_array_resp(resp_);
  }

 private:
  void Run() override {
    if (slurm_update_job2(desc_.get(), &resp_) != SLURM_SUCCESS) {
      resp_ = nullptr;
      Fail("slurm_update_job2");
    }
  }
  Napi::Value ToJS(Napi::Env env) override {
    Napi::Value out = ArrayResponse(env, resp_);
    if (resp_) slurm_free_job_array_resp(resp_);
    resp_ = nullptr;
    return out;
  }

  JobDesc desc_;
  job_array_resp_msg_t *resp_ = nullptr;
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
    Napi::Value out = ArrayResponse(env, resp_);
    if (resp_) slurm_free_job_array_resp(resp_);
    resp_ = nullptr;
    return out;
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

using Factory = std::function<std::unique_ptr<Op>(const Napi::Object &)>;

const std::map<std::string, Factory> &Factories() {
  static const std::map<std::string, Factory> table = {
      {"ping", [](const Napi::Object &) { return std::make_unique<PingOp>(); }},
      {"config", [](const Napi::Object &) { return std::make_unique<ConfigOp>(); }},
      {"statistics", [](const Napi::Object &) { return std::make_unique<StatsOp>(); }},
      {"jobs", [](const Napi::Object &a) { return std::make_unique<JobsOp>(a); }},
      {"jobs_since", [](const Napi::Object &a) { return std::make_unique<JobsOp>(a, true); }},
      {"nodes", [](const Napi::Object &a) { return std::make_unique<NodesOp>(a); }},
      {"partitions", [](const Napi::Object &a) { return std::make_unique<PartitionsOp>(a); }},
      {"submit", [](const Napi::Object &a) { return std::make_unique<SubmitOp>(a); }},
      {"update", [](const Napi::Object &a) { return std::make_unique<UpdateOp>(a); }},
      {"kill", [](const Napi::Object &a) { return std::make_unique<KillOp>(a); }},
      {"suspend", [](const Napi::Object &a) { return std::make_unique<JobActionOp>(JobActionOp::Kind::Suspend, a); }},
      {"resume", [](const Napi::Object &a) { return std::make_unique<JobActionOp>(JobActionOp::Kind::Resume, a); }},
      {"requeue", [](const Napi::Object &a) { return std::make_unique<JobActionOp>(JobActionOp::Kind::Requeue, a); }},
  };
  return table;
}

}  // namespace

std::unique_ptr<Op> MakeOp(const std::string &name, const Napi::Value &args) {
  auto it = Factories().find(name);
  if (it == Factories().end()) throw Napi::TypeError::New(args.Env(), "unknown libslurm operation: " + name);
  return it->second(ArgsObject(args));
}

}  // namespace sr
