// Reservations and licenses, as `scontrol show reservation` and `scontrol show licenses` read them.
#include "ops_util.h"

namespace sr {
namespace ops {
namespace {

// ----------------------------------------------------------------------------------------------
// reservations: slurm_load_reservations

class ReservationsOp : public Op {
 public:
  ~ReservationsOp() override {
    if (resv_) slurm_free_reservation_info_msg(resv_);
  }

 private:
  void Run() override {
    if (slurm_load_reservations(0, &resv_) != SLURM_SUCCESS) {
      resv_ = nullptr;
      Fail("slurm_load_reservations");
    }
  }
  Napi::Value ToJS(Napi::Env env) override {
    Napi::Array out = Napi::Array::New(env, resv_->record_count);
    for (uint32_t i = 0; i < resv_->record_count; i++) {
      reserve_info_t &r = resv_->reservation_array[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", Str(env, r.name));
      o.Set("start_time", Num(env, double(r.start_time)));
      o.Set("end_time", Num(env, double(r.end_time)));
      o.Set("node_list", Str(env, r.node_list));
      o.Set("node_cnt", Num(env, r.node_cnt));
      o.Set("core_cnt", Num(env, r.core_cnt));
      o.Set("partition", Str(env, r.partition));
      o.Set("users", Str(env, r.users));
      o.Set("groups", Str(env, r.groups));
      o.Set("accounts", Str(env, r.accounts));
      o.Set("licenses", Str(env, r.licenses));
      o.Set("features", Str(env, r.features));
      o.Set("tres", Str(env, r.tres_str));
      // What scontrol prints as Flags= (reservation_flags_string(), xmalloc'ed).
      char *flags = slurm_reservation_flags_string(&r);
      o.Set("flags", Str(env, flags ? flags : ""));
      if (flags) slurm_xfree(reinterpret_cast<void **>(&flags));
      out.Set(i, o);
    }
    slurm_free_reservation_info_msg(resv_);
    resv_ = nullptr;
    return out;
  }

  reserve_info_msg_t *resv_ = nullptr;
};

// ----------------------------------------------------------------------------------------------
// licenses: slurm_load_licenses

class LicensesOp : public Op {
 public:
  ~LicensesOp() override {
    if (lic_) slurm_free_license_info_msg(lic_);
  }

 private:
  void Run() override {
    if (slurm_load_licenses(0, &lic_, 0) != SLURM_SUCCESS) {
      lic_ = nullptr;
      Fail("slurm_load_licenses");
    }
  }
  Napi::Value ToJS(Napi::Env env) override {
    Napi::Array out = Napi::Array::New(env, lic_->num_lic);
    for (uint32_t i = 0; i < lic_->num_lic; i++) {
      const slurm_license_info_t &l = lic_->lic_array[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", Str(env, l.name));
      o.Set("total", Num(env, l.total));
      o.Set("in_use", Num(env, l.in_use));
      o.Set("available", Num(env, l.available));
      o.Set("reserved", Num(env, l.reserved));
      o.Set("remote", Napi::Boolean::New(env, l.remote != 0));
      out.Set(i, o);
    }
    slurm_free_license_info_msg(lic_);
    lic_ = nullptr;
    return out;
  }

  license_info_msg_t *lic_ = nullptr;
};

}  // namespace

std::unique_ptr<Op> MakeReservations(const Args &) { return std::make_unique<ReservationsOp>(); }
std::unique_ptr<Op> MakeLicenses(const Args &) { return std::make_unique<LicensesOp>(); }

}  // namespace ops
}  // namespace sr
