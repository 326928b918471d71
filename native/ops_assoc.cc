// Accounts, a user with her associations, and the QOS, as sacctmgr show account|user|assoc|qos
// reads them (#11). Each op opens its own slurmdb connection on the calling thread (as the caller,
// see ops_accounting.cc) and reads the TRES and QOS names on it, so TRES strings go out by name
// ("cpu=2,mem=1536") and QOS ids as names, as sacctmgr prints them.
#include "slurmdb_util.h"

namespace sr {
namespace ops {
namespace {

using namespace db;


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
    if (!ReadTresNames(db.get(), tres_)) return Fail("slurmdb_tres_get", SLURM_ERROR, "DBD_GET_TRES failure: Problem talking to the database"), false;
    return true;
  }
  bool ReadQos(void *db) {
    if (!ReadQosNames(db, qos_)) return Fail("slurmdb_qos_get", SLURM_ERROR, "DBD_GET_QOS failure: Problem talking to the database"), false;
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

std::unique_ptr<Op> MakeAcctAccounts(const Args &) { return std::make_unique<AcctAccountsOp>(); }
std::unique_ptr<Op> MakeAcctUser(const Args &a) { return std::make_unique<AcctUserOp>(a); }
std::unique_ptr<Op> MakeAcctQos(const Args &) { return std::make_unique<AcctQosOp>(); }

}  // namespace ops
}  // namespace sr
