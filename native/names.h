// Slurm's enum -> name tables, as Slurm's own tools print them. Version-specific values come from
// the headers we compile against; the strings follow Slurm 22.05's slurm_protocol_defs.c.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sr {

// squeue %T: job_state_string(), where a state flag (COMPLETING, ...) wins over the base state.
const char *JobStateName(uint32_t state);
// squeue %t: job_state_string_compact(), squeue's default sort key.
const char *JobStateCompact(uint32_t state);
// squeue %r without state_desc: job_reason_string().
std::string JobReasonName(uint16_t reason);
// sinfo StateComplete: node_state_string_complete(), "IDLE+DRAIN", upper case.
std::string NodeStateComplete(uint32_t state);
// sdiag: rpc_num2string(), or the number when unknown.
std::string RpcName(uint16_t id);
// The Slurm errno constants the TS error table names, with this build's values.
const std::vector<std::pair<const char *, int>> &ErrnoConstants();

}  // namespace sr
