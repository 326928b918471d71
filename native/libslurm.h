// libslurm, loaded once per process with global symbol visibility, and the few exported but
// undeclared helpers we resolve at run time (they are not in slurm.h). Initialised explicitly,
// once per process, in one auth mode (see Initialise).
#pragma once

#include <cstdint>
#include <string>

extern "C" {
#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

// Exported by libslurm.so but declared only in Slurm's internal slurm_protocol_defs.h: the one
// way to free what slurm_get_statistics() returns (sdiag uses it too).
void slurm_free_stats_response_msg(stats_info_response_msg_t *msg);
// The same header's reservation_flags_string() (what `scontrol show reservation` prints as
// Flags=), xmalloc'ed; and xfree() itself (src/common/xmalloc.h), to free what libslurm
// allocated for us (it and SELECT_NODEDATA_TRES_ALLOC_FMT_STR's string): xmalloc'ed memory
// starts 16 bytes before the pointer, so free() must not be used. One argument from 21.08 on
// (22.05.8's libslurm.so.38: frees *ptr - 16 and sets *ptr = NULL).
char *slurm_reservation_flags_string(reserve_info_t *resv_ptr);
void slurm_xfree(void **ptr);
}

#if SLURM_VERSION_NUMBER < SLURM_VERSION_NUM(22, 5, 0)
#error "scheduler-rest's binding needs Slurm 22.05 or newer (slurm_init, cpus_efctv)"
#endif

namespace sr {

struct Helpers {
  // squeue's job_reason_string(): exported by libslurm.so as slurm_job_reason_string.
  char *(*job_reason_string)(int reason) = nullptr;
  // bitstr_t accessors (array_bitmap of pending array records).
  int (*bit_test)(bitstr_t *b, bitoff_t bit) = nullptr;
  bitoff_t (*bit_size)(bitstr_t *b) = nullptr;
  // The process's slurm.conf as libslurm read it (control_cnt for ping).
  slurm_conf_t *conf = nullptr;
  // 22.05 (src/common/slurm_auth.c, exported, declared only internally): loads the auth plugin,
  // which slurm_init() does not do before 23.02; idempotent, and its first call decides the
  // primary plugin (auth/jwt whenever SLURM_JWT is set). Absent from 23.11 on, where
  // slurm_init() itself calls auth_g_init(): resolved at run time, optional.
  int (*auth_init)(char *auth_type) = nullptr;
};

// dlopen(libslurm, RTLD_NOW | RTLD_GLOBAL) and the helper symbols, once per process; every later
// call returns the first outcome. Empty string on success, else why it failed. Does not read the
// configuration nor touch authentication: that is Initialise().
const std::string &EnsureLoaded();
const Helpers &helpers();

// How libslurm authenticates this process's RPCs, chosen once per process.
//   None: the configured AuthType (munge) as the process's own user; SLURM_JWT is removed from
//         the environment first so that it cannot switch libslurm to auth/jwt.
//   Jwt:  auth/jwt as the primary plugin, SLURM_JWT set to a placeholder that never
//         authenticates; each call carries its caller's token thread-locally (TokenScope).
enum class AuthMode { None = 0, Jwt = 1 };
const char *AuthModeName(AuthMode mode);

// The value SLURM_JWT holds under AuthMode::Jwt: not a JWT, so slurmctld refuses any RPC sent
// without a per-call token.
extern const char *const kPlaceholderToken;

// slurm_init(NULL) + slurm_auth_init(NULL) in `mode`, and under Jwt the auth/jwt plugin's
// thread-token entry points; once per process (serialised). A later call in the same mode returns
// the first outcome; in the other mode it fails. Empty string on success, else why it failed.
std::string Initialise(AuthMode mode);
// -1 while not (successfully) initialised, else the AuthMode's value.
int InitialisedMode();

// The auth/jwt plugin's own thread-scoped token setters (auth_p_thread_config/_clear), resolved
// from the plugin libslurm loaded; null unless initialised in AuthMode::Jwt.
struct JwtPlugin {
  int (*thread_config)(const char *token, const char *username) = nullptr;
  void (*thread_clear)(void) = nullptr;
  void *handle = nullptr;  // dlopen(RTLD_NOLOAD) of the loaded plugin, never closed
  std::string path;
};
const JwtPlugin &jwt();

// Sets the caller's token on the calling thread for the lifetime of the scope, and clears it on
// every exit. Under AuthMode::None it does nothing. Under Jwt with an empty token it clears (the
// placeholder is then sent, and refused).
class TokenScope {
 public:
  explicit TokenScope(const std::string &token);
  ~TokenScope();
  TokenScope(const TokenScope &) = delete;
  TokenScope &operator=(const TokenScope &) = delete;

 private:
  bool active_ = false;
};

// Whether the calling thread has a token set in the auth/jwt plugin (for tests).
bool ThreadTokenSet();

// The library's own version, "22.05.8" (what `scontrol --version` prints).
std::string LibraryVersion();

}  // namespace sr
