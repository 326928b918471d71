// What the accounting ops share (ops_accounting.cc: jobs, steps, ping; ops_assoc.cc: accounts,
// users, QOS): whether accounting is configured, slurmdb connections, lists of C++ strings, TRES
// strings by id. Header-only: every function is inline.
#ifndef SR_NATIVE_SLURMDB_UTIL_H
#define SR_NATIVE_SLURMDB_UTIL_H

#include "ops_util.h"

extern "C" {
#include <slurm/slurmdb.h>
}

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace sr {
namespace ops {
namespace db {

// What sacct prints when it cannot ask (src/sacct/options.c); src/slurm/accounting.ts reads it.
constexpr const char *kDisabled = "Slurm accounting storage is disabled";

inline bool AccountingConfigured() {
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

inline std::vector<std::string> StringArray(const Napi::Object &a, const char *key) {
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

// The database's TRES by id ("cpu", "mem", "gres/gpu", deleted ones too); false when slurmdbd
// did not answer.
inline bool ReadTresNames(void *db, TresNames &out) {
  slurmdb_tres_cond_t cond{};
  cond.with_deleted = 1;
  List tres = slurmdb_tres_get(db, &cond);
  if (!tres) return false;
  ListIterator it = slurm_list_iterator_create(tres);
  while (auto *t = static_cast<slurmdb_tres_rec_t *>(slurm_list_next(it))) {
    std::string name = t->type ? t->type : "";
    if (t->name && *t->name) name += "/" + std::string(t->name);
    out[t->id] = name;
  }
  slurm_list_iterator_destroy(it);
  slurm_list_destroy(tres);
  return true;
}

// The database's QOS names by id (deleted ones too); false when slurmdbd did not answer.
inline bool ReadQosNames(void *db, std::map<uint32_t, std::string> &out) {
  slurmdb_qos_cond_t cond{};
  cond.with_deleted = 1;
  List qos = slurmdb_qos_get(db, &cond);
  if (!qos) return false;
  ListIterator it = slurm_list_iterator_create(qos);
  while (auto *q = static_cast<slurmdb_qos_rec_t *>(slurm_list_next(it))) out[q->id] = q->name ? q->name : "";
  slurm_list_iterator_destroy(it);
  slurm_list_destroy(qos);
  return true;
}

// "1=2,2=2048,4=1" -> "cpu=2,mem=2048,node=1" (ids the database does not know are left out).
inline std::string NameTres(const char *ids, const TresNames &names) {
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
inline double TresValue(const char *ids, uint32_t id) {
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

}  // namespace db
}  // namespace ops
}  // namespace sr

#endif  // SR_NATIVE_SLURMDB_UTIL_H
