// The controller: ping, the configuration, and statistics (sdiag).
#include "ops_util.h"

namespace sr {
namespace ops {
namespace {

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
    // sdiag's "Backfilling stats"
    out.Set("bf_active", Napi::Boolean::New(env, s->bf_active != 0));
    out.Set("bf_backfilled_jobs", Num(env, s->bf_backfilled_jobs));
    out.Set("bf_last_backfilled_jobs", Num(env, s->bf_last_backfilled_jobs));
    out.Set("bf_backfilled_het_jobs", Num(env, s->bf_backfilled_het_jobs));
    out.Set("bf_cycle_counter", Num(env, s->bf_cycle_counter));
    out.Set("bf_cycle_sum", Num(env, double(s->bf_cycle_sum)));
    out.Set("bf_cycle_last", Num(env, s->bf_cycle_last));
    out.Set("bf_cycle_max", Num(env, s->bf_cycle_max));
    out.Set("bf_last_depth", Num(env, s->bf_last_depth));
    out.Set("bf_last_depth_try", Num(env, s->bf_last_depth_try));
    out.Set("bf_depth_sum", Num(env, s->bf_depth_sum));
    out.Set("bf_depth_try_sum", Num(env, s->bf_depth_try_sum));
    out.Set("bf_queue_len", Num(env, s->bf_queue_len));
    out.Set("bf_queue_len_sum", Num(env, s->bf_queue_len_sum));
    out.Set("bf_table_size", Num(env, s->bf_table_size));
    out.Set("bf_table_size_sum", Num(env, s->bf_table_size_sum));
    out.Set("bf_when_last_cycle", Num(env, double(s->bf_when_last_cycle)));
    // sdiag's "Remote Procedure Call statistics by user", users named as sdiag names them.
    UserNames names;
    Napi::Array users = Napi::Array::New(env, s->rpc_user_size);
    for (uint32_t i = 0; i < s->rpc_user_size; i++) {
      Napi::Object user = Napi::Object::New(env);
      user.Set("id", Num(env, s->rpc_user_id[i]));
      user.Set("name", Str(env, names.Name(uid_t(s->rpc_user_id[i]))));
      user.Set("count", Num(env, s->rpc_user_cnt[i]));
      user.Set("total_time", U64(env, s->rpc_user_time[i]));
      users.Set(i, user);
    }
    out.Set("rpc_users", users);
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

}  // namespace

std::unique_ptr<Op> MakePing(const Args &) { return std::make_unique<PingOp>(); }
std::unique_ptr<Op> MakeConfig(const Args &) { return std::make_unique<ConfigOp>(); }
std::unique_ptr<Op> MakeStatistics(const Args &) { return std::make_unique<StatsOp>(); }

}  // namespace ops
}  // namespace sr
