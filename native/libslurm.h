// libslurm, loaded once per process with global symbol visibility, and the few exported but
// undeclared helpers we resolve at run time (they are not in slurm.h).
#pragma once

#include <cstdint>
#include <string>

extern "C" {
#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

// Exported by libslurm.so but declared only in Slurm's internal slurm_protocol_defs.h: the one
// way to free what slurm_get_statistics() returns (sdiag uses it too).
void slurm_free_stats_response_msg(stats_info_response_msg_t *msg);
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
};

// dlopen(libslurm, RTLD_NOW | RTLD_GLOBAL) and slurm_init(NULL), once per process; every later
// call returns the first outcome. Empty string on success, else why it failed.
const std::string &EnsureLoaded();
const Helpers &helpers();

// The library's own version, "22.05.8" (what `scontrol --version` prints).
std::string LibraryVersion();

}  // namespace sr
