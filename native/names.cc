#include "names.h"

#include <algorithm>
#include <mutex>

#include "libslurm.h"

#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(22, 5, 0) && SLURM_VERSION_NUMBER < SLURM_VERSION_NUM(23, 2, 0)
#include "rpc_names_22_05.h"
#define RPC_NAMES RPC_NAMES_22_05
#endif

namespace sr {

const char *JobStateName(uint32_t state) {
  if (state & JOB_COMPLETING) return "COMPLETING";
  if (state & JOB_STAGE_OUT) return "STAGE_OUT";
  if (state & JOB_CONFIGURING) return "CONFIGURING";
  if (state & JOB_RESIZING) return "RESIZING";
  if (state & JOB_REQUEUE) return "REQUEUED";
  if (state & JOB_REQUEUE_FED) return "REQUEUE_FED";
  if (state & JOB_REQUEUE_HOLD) return "REQUEUE_HOLD";
  if (state & JOB_SPECIAL_EXIT) return "SPECIAL_EXIT";
  if (state & JOB_STOPPED) return "STOPPED";
  if (state & JOB_REVOKED) return "REVOKED";
  if (state & JOB_RESV_DEL_HOLD) return "RESV_DEL_HOLD";
  if (state & JOB_SIGNALING) return "SIGNALING";
  switch (state & JOB_STATE_BASE) {
    case JOB_PENDING: return "PENDING";
    case JOB_RUNNING: return "RUNNING";
    case JOB_SUSPENDED: return "SUSPENDED";
    case JOB_COMPLETE: return "COMPLETED";
    case JOB_CANCELLED: return "CANCELLED";
    case JOB_FAILED: return "FAILED";
    case JOB_TIMEOUT: return "TIMEOUT";
    case JOB_NODE_FAIL: return "NODE_FAIL";
    case JOB_PREEMPTED: return "PREEMPTED";
    case JOB_BOOT_FAIL: return "BOOT_FAIL";
    case JOB_DEADLINE: return "DEADLINE";
    case JOB_OOM: return "OUT_OF_MEMORY";
    default: return "?";
  }
}

const char *JobStateCompact(uint32_t state) {
  if (state & JOB_COMPLETING) return "CG";
  if (state & JOB_STAGE_OUT) return "SO";
  if (state & JOB_CONFIGURING) return "CF";
  if (state & JOB_RESIZING) return "RS";
  if (state & JOB_REQUEUE) return "RQ";
  if (state & JOB_REQUEUE_FED) return "RF";
  if (state & JOB_REQUEUE_HOLD) return "RH";
  if (state & JOB_SPECIAL_EXIT) return "SE";
  if (state & JOB_STOPPED) return "ST";
  if (state & JOB_REVOKED) return "RV";
  if (state & JOB_RESV_DEL_HOLD) return "RD";
  if (state & JOB_SIGNALING) return "SI";
  switch (state & JOB_STATE_BASE) {
    case JOB_PENDING: return "PD";
    case JOB_RUNNING: return "R";
    case JOB_SUSPENDED: return "S";
    case JOB_COMPLETE: return "CD";
    case JOB_CANCELLED: return "CA";
    case JOB_FAILED: return "F";
    case JOB_TIMEOUT: return "TO";
    case JOB_NODE_FAIL: return "NF";
    case JOB_PREEMPTED: return "PR";
    case JOB_BOOT_FAIL: return "BF";
    case JOB_DEADLINE: return "DL";
    case JOB_OOM: return "OOM";
    default: return "?";
  }
}

std::string JobReasonName(uint16_t reason) {
  // ~200 version-specific strings: use libslurm's own table. Its default case formats into a
  // static buffer, so calls are serialised and the result copied before the lock is released.
  static std::mutex lock;
  auto fn = helpers().job_reason_string;
  if (!fn) return std::to_string(reason);
  std::lock_guard<std::mutex> guard(lock);
  const char *name = fn(reason);
  return name ? name : std::to_string(reason);
}

namespace {

struct Flag {
  uint32_t bit;
  const char *name;
};

// node_states[] and node_state_flags[] of slurm_protocol_defs.c (22.05), in the same order.
const Flag kNodeBase[] = {
    {NODE_STATE_DOWN, "DOWN"},   {NODE_STATE_IDLE, "IDLE"},     {NODE_STATE_ALLOCATED, "ALLOCATED"},
    {NODE_STATE_ERROR, "ERROR"}, {NODE_STATE_MIXED, "MIXED"},   {NODE_STATE_FUTURE, "FUTURE"},
    {NODE_STATE_UNKNOWN, "UNKNOWN"},
};
const Flag kNodeFlags[] = {
    {NODE_STATE_CLOUD, "CLOUD"},
    {NODE_STATE_COMPLETING, "COMPLETING"},
    {NODE_STATE_DRAIN, "DRAIN"},
    {NODE_STATE_DYNAMIC_FUTURE, "DYNAMIC_FUTURE"},
    {NODE_STATE_DYNAMIC_NORM, "DYNAMIC_NORM"},
    {NODE_STATE_INVALID_REG, "INVALID_REG"},
    {NODE_STATE_FAIL, "FAIL"},
    {NODE_STATE_MAINT, "MAINTENANCE"},
    {NODE_STATE_POWER_DOWN, "POWER_DOWN"},
    {NODE_STATE_POWER_UP, "POWER_UP"},
    {NODE_STATE_NET, "PERFCTRS"},
    {NODE_STATE_POWERED_DOWN, "POWERED_DOWN"},
    {NODE_STATE_REBOOT_REQUESTED, "REBOOT_REQUESTED"},
    {NODE_STATE_REBOOT_ISSUED, "REBOOT_ISSUED"},
    {NODE_STATE_RES, "RESERVED"},
    {NODE_RESUME, "RESUME"},
    {NODE_STATE_NO_RESPOND, "NOT_RESPONDING"},
    {NODE_STATE_PLANNED, "PLANNED"},
    {NODE_STATE_POWERING_UP, "POWERING_UP"},
    {NODE_STATE_POWERING_DOWN, "POWERING_DOWN"},
};

}  // namespace

std::string NodeStateComplete(uint32_t state) {
  std::string out = "INVALID";
  for (const auto &b : kNodeBase) {
    if (b.bit == (state & NODE_STATE_BASE)) {
      out = b.name;
      break;
    }
  }
  uint32_t flags = state & NODE_STATE_FLAGS;
  while (flags) {
    const char *name = "?";
    uint32_t clear = flags & (~flags + 1);  // lowest set bit, for flags no name covers
    for (const auto &f : kNodeFlags) {
      if (flags & f.bit) {
        name = f.name;
        clear = f.bit;
        break;
      }
    }
    flags &= ~clear;
    out += "+";
    out += name;
  }
  return out;
}

std::string RpcName(uint16_t id) {
#ifdef RPC_NAMES
  for (const auto &entry : RPC_NAMES) {
    if (entry.id == id) return entry.name;
  }
#endif
  return std::to_string(id);
}

const std::vector<std::pair<const char *, int>> &ErrnoConstants() {
#define SR_ERRNO(name) {#name, name}
  static const std::vector<std::pair<const char *, int>> table = {
      SR_ERRNO(SLURM_ERROR),
      SR_ERRNO(SLURM_UNEXPECTED_MSG_ERROR),
      SR_ERRNO(SLURM_COMMUNICATIONS_CONNECTION_ERROR),
      SR_ERRNO(SLURM_COMMUNICATIONS_SEND_ERROR),
      SR_ERRNO(SLURM_COMMUNICATIONS_RECEIVE_ERROR),
      SR_ERRNO(SLURM_COMMUNICATIONS_SHUTDOWN_ERROR),
      SR_ERRNO(SLURM_PROTOCOL_VERSION_ERROR),
      SR_ERRNO(SLURM_PROTOCOL_IO_STREAM_VERSION_ERROR),
      SR_ERRNO(SLURM_PROTOCOL_AUTHENTICATION_ERROR),
      SR_ERRNO(SLURM_PROTOCOL_INSANE_MSG_LENGTH),
      SR_ERRNO(SLURM_MPI_PLUGIN_NAME_INVALID),
      SR_ERRNO(SLURM_COMMUNICATIONS_MISSING_SOCKET_ERROR),
      SR_ERRNO(SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR),
      SR_ERRNO(SLURMCTLD_COMMUNICATIONS_SEND_ERROR),
      SR_ERRNO(SLURMCTLD_COMMUNICATIONS_RECEIVE_ERROR),
      SR_ERRNO(SLURMCTLD_COMMUNICATIONS_SHUTDOWN_ERROR),
      SR_ERRNO(SLURM_PROTOCOL_SOCKET_IMPL_ZERO_RECV_LENGTH),
      SR_ERRNO(SLURM_PROTOCOL_SOCKET_IMPL_NEGATIVE_RECV_LENGTH),
      SR_ERRNO(SLURM_PROTOCOL_SOCKET_IMPL_NOT_ALL_DATA_SENT),
      SR_ERRNO(SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT),
      SR_ERRNO(SLURM_PROTOCOL_SOCKET_ZERO_BYTES_SENT),
      SR_ERRNO(ESLURM_IN_STANDBY_MODE),
      SR_ERRNO(ESLURM_IN_STANDBY_USE_BACKUP),
      SR_ERRNO(ESLURM_INVALID_JOB_ID),
      SR_ERRNO(ESLURM_INVALID_NODE_NAME),
      SR_ERRNO(ESLURM_INVALID_PARTITION_NAME),
      SR_ERRNO(ESLURM_ACCESS_DENIED),
      SR_ERRNO(ESLURM_USER_ID_MISSING),
      SR_ERRNO(ESLURM_BURST_BUFFER_PERMISSION),
      SR_ERRNO(ESLURM_INVALID_ACCOUNT),
      SR_ERRNO(ESLURM_AUTH_CRED_INVALID),
      SR_ERRNO(ESLURM_AUTH_FOPEN_ERROR),
      SR_ERRNO(ESLURM_AUTH_NET_ERROR),
      SR_ERRNO(ESLURM_AUTH_UNABLE_TO_SIGN),
      SR_ERRNO(ESLURM_AUTH_BADARG),
      SR_ERRNO(ESLURM_AUTH_MEMORY),
      SR_ERRNO(ESLURM_AUTH_INVALID),
      SR_ERRNO(ESLURM_AUTH_UNPACK),
      SR_ERRNO(ESLURM_TRANSITION_STATE_NO_UPDATE),
      SR_ERRNO(ESLURM_ALREADY_DONE),
      SR_ERRNO(ESLURM_JOB_PENDING),
      SR_ERRNO(ESLURM_JOB_HELD),
      SR_ERRNO(ESLURM_JOB_NOT_PENDING),
      SR_ERRNO(ESLURM_JOB_NOT_RUNNING),
      SR_ERRNO(ESLURM_JOB_NOT_PENDING_NOR_RUNNING),
      SR_ERRNO(ESLURM_JOB_NOT_SUSPENDED),
      SR_ERRNO(ESLURM_JOB_SUSPENDED),
      SR_ERRNO(ESLURM_JOB_FINISHED),
      SR_ERRNO(ESLURM_DISABLED),
      SR_ERRNO(ESLURM_NOT_SUPPORTED),
      SR_ERRNO(ESLURM_BATCH_ONLY),
      SR_ERRNO(ESLURM_JOB_NOT_FINISHED),
      // Submission: refusals sbatch retries, and a reply that came back unreadable.
      SR_ERRNO(ESLURM_ERROR_ON_DESC_TO_RECORD_COPY),
      SR_ERRNO(ESLURM_NODES_BUSY),
      SR_ERRNO(SLURM_UNEXPECTED_MSG_ERROR),
      SR_ERRNO(ESLURM_PROTOCOL_INCOMPLETE_PACKET),
  };
#undef SR_ERRNO
  return table;
}

}  // namespace sr
