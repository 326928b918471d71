// Nodes and partitions, as sinfo and `scontrol show partition` read them.
#include "ops_util.h"

namespace sr {
namespace ops {
namespace {

// ----------------------------------------------------------------------------------------------
// nodes: slurm_load_partitions + slurm_load_node, as sinfo reads them

class NodesOp : public Op {
 public:
  // since: nodes_since, which passes the last_update of a previous answer of each table
  // (partition_update_time, node_update_time) as sinfo --iterate does.
  explicit NodesOp(const Napi::Object &a, bool since = false)
      : flags_(uint16_t(GetU32(a, "show_flags", 0))),
        since_(since),
        part_time_(since ? time_t(GetU32(a, "partition_update_time", 0)) : 0),
        node_time_(since ? time_t(GetU32(a, "node_update_time", 0)) : 0) {}
  ~NodesOp() override {
    if (parts_) slurm_free_partition_info_msg(parts_);
    if (nodes_) slurm_free_node_info_msg(nodes_);
  }

 private:
  // slurmctld answers SLURM_NO_CHANGE_IN_DATA (and no records) when its table has not changed
  // since `since` (non-zero); false then, true with the table loaded otherwise.
  template <typename Msg>
  bool Load(int (*load)(time_t, Msg **, uint16_t), time_t since, Msg **msg, const char *api) {
    if (load(since, msg, flags_) == SLURM_SUCCESS) return true;
    *msg = nullptr;
    if (since && slurm_get_errno() == SLURM_NO_CHANGE_IN_DATA) return false;
    Fail(api);
    return false;
  }

  void Run() override {
    bool parts_changed = Load(slurm_load_partitions, part_time_, &parts_, "slurm_load_partitions");
    if (failed()) return;
    bool nodes_changed = Load(slurm_load_node, node_time_, &nodes_, "slurm_load_node");
    if (failed()) return;
    if (!parts_changed && !nodes_changed) {
      unchanged_ = true;  // nodes_since only: both tables as they were
      return;
    }
    // One table changed: the answer is built from both, so load the other one whole too.
    if (!parts_changed) Load(slurm_load_partitions, time_t(0), &parts_, "slurm_load_partitions");
    else if (!nodes_changed) Load(slurm_load_node, time_t(0), &nodes_, "slurm_load_node");
  }

  Napi::Value ToJS(Napi::Env env) override {
    if (!since_) return Records(env);
    // { partition_update_time, node_update_time, nodes }: nodes null when neither table changed
    // (then the update times are the ones asked with).
    Napi::Object out = Napi::Object::New(env);
    out.Set("partition_update_time", Num(env, double(parts_ ? parts_->last_update : part_time_)));
    out.Set("node_update_time", Num(env, double(nodes_ ? nodes_->last_update : node_time_)));
    out.Set("nodes", unchanged_ ? env.Null() : Records(env));
    return out;
  }

  Napi::Value Records(Napi::Env env) {
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
      // NULL: "the same as features" (slurm.h); scontrol and sinfo print features then.
      o.Set("features_act", Str(env, n.features_act ? n.features_act : n.features));
      o.Set("reason", Str(env, n.reason));
      // scontrol's CPULoad: cpu_load / 100 ("%.2f"), N/A for NO_VAL.
      o.Set("cpu_load", n.cpu_load == NO_VAL ? env.Null() : Num(env, n.cpu_load));
      o.Set("gres", Str(env, n.gres));
      o.Set("gres_used", Str(env, n.gres_used));
      o.Set("tres", Str(env, n.tres_fmt_str));
      char *alloc_tres = nullptr;
      slurm_get_select_nodeinfo(n.select_nodeinfo, SELECT_NODEDATA_TRES_ALLOC_FMT_STR, NODE_STATE_ALLOCATED, &alloc_tres);
      o.Set("tres_alloc", Str(env, alloc_tres));
      if (alloc_tres) slurm_xfree(reinterpret_cast<void **>(&alloc_tres));
      o.Set("node_addr", Str(env, n.node_addr));
      o.Set("node_hostname", Str(env, n.node_hostname));
      o.Set("os", Str(env, n.os));
      o.Set("boot_time", Num(env, double(n.boot_time)));
      o.Set("slurmd_start_time", Num(env, double(n.slurmd_start_time)));
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
  bool since_;
  time_t part_time_;
  time_t node_time_;
  bool unchanged_ = false;
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
      o.Set("tres", Str(env, p.tres_fmt_str));
      out.Set(i, o);
    }
    slurm_free_partition_info_msg(parts_);
    parts_ = nullptr;
    return out;
  }

  uint16_t flags_;
  partition_info_msg_t *parts_ = nullptr;
};

}  // namespace

std::unique_ptr<Op> MakeNodes(const Args &a, bool since) { return std::make_unique<NodesOp>(a, since); }
std::unique_ptr<Op> MakePartitions(const Args &a) { return std::make_unique<PartitionsOp>(a); }

}  // namespace ops
}  // namespace sr
