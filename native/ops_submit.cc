// Job descriptors: submit (sbatch) and update (scontrol update).
#include "ops_util.h"

// Exported by libslurm (slurm_protocol_defs.c) but declared only in Slurm's internal headers;
// slurm.h names it as the way to free slurm_job_will_run2()'s answer.
extern "C" void slurm_free_will_run_response_msg(will_run_response_msg_t *msg);

namespace sr {
namespace ops {
namespace {

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
        {"features", &job_desc_msg_t::features}, {"reservation", &job_desc_msg_t::reservation},
        {"licenses", &job_desc_msg_t::licenses}, {"mail_user", &job_desc_msg_t::mail_user},
        {"tres_per_node", &job_desc_msg_t::tres_per_node}, {"tres_per_job", &job_desc_msg_t::tres_per_job},
    };
    static const std::map<std::string, uint16_t job_desc_msg_t::*> u16 = {
        {"shared", &job_desc_msg_t::shared}, {"requeue", &job_desc_msg_t::requeue},
        {"ntasks_per_node", &job_desc_msg_t::ntasks_per_node},
    };
    static const std::map<std::string, time_t job_desc_msg_t::*> times = {
        {"begin_time", &job_desc_msg_t::begin_time}, {"deadline", &job_desc_msg_t::deadline},
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
      } else if (auto h = u16.find(key); h != u16.end()) {
        desc_.*(h->second) = uint16_t(GetU32(o, key.c_str(), 0));
      } else if (auto t = times.find(key); t != times.end()) {
        desc_.*(t->second) = time_t(GetNumber(o, key.c_str()));
      } else if (key == "mem_per_cpu") {
        // MEM_PER_CPU is bit 63, beyond a JS number: set here, as sbatch does for --mem-per-cpu.
        desc_.pn_min_memory = uint64_t(GetNumber(o, "mem_per_cpu")) | MEM_PER_CPU;
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
    return TakeArrayResponse(env, resp_);
  }

  JobDesc desc_;
  job_array_resp_msg_t *resp_ = nullptr;
};

}  // namespace

// will_run: slurm_job_will_run2(), what `sbatch --test-only` asks: whether and when the job would
// start, where, with how many CPUs, and which jobs it would preempt; nothing is created.
class WillRunOp : public Op {
 public:
  explicit WillRunOp(const Napi::Object &a) { desc_.From(a); }
  ~WillRunOp() override {
    if (resp_) slurm_free_will_run_response_msg(resp_);
  }

 private:
  void Run() override {
    if (slurm_job_will_run2(desc_.get(), &resp_) != SLURM_SUCCESS) {
      resp_ = nullptr;
      Fail("slurm_job_will_run2");
    }
  }
  Napi::Value ToJS(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("start_time", Num(env, double(resp_->start_time)));
    out.Set("node_list", Str(env, resp_->node_list));
    out.Set("part_name", Str(env, resp_->part_name));
    out.Set("proc_cnt", Num(env, resp_->proc_cnt));
    Napi::Array preempts = Napi::Array::New(env);
    if (resp_->preemptee_job_id) {
      uint32_t n = 0;
      ListIterator it = slurm_list_iterator_create(resp_->preemptee_job_id);
      while (auto *id = static_cast<uint32_t *>(slurm_list_next(it))) preempts.Set(n++, Num(env, *id));
      slurm_list_iterator_destroy(it);
    }
    out.Set("preemptee_job_ids", preempts);
    slurm_free_will_run_response_msg(resp_);
    resp_ = nullptr;
    return out;
  }

  JobDesc desc_;
  will_run_response_msg_t *resp_ = nullptr;
};

std::unique_ptr<Op> MakeSubmit(const Args &a) { return std::make_unique<SubmitOp>(a); }
std::unique_ptr<Op> MakeWillRun(const Args &a) { return std::make_unique<WillRunOp>(a); }
std::unique_ptr<Op> MakeUpdate(const Args &a) { return std::make_unique<UpdateOp>(a); }

}  // namespace ops
}  // namespace sr
