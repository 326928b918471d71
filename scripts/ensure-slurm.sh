#!/usr/bin/env bash
# Prints the environment for the Slurm the gateway and the tests should use: the one configured
# on this host (SLURM_CONF, or /etc/slurm/slurm.conf), else the private cluster, started (and
# installed) on demand. Use as: eval "$(bash scripts/ensure-slurm.sh)"
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -n "${SLURM_CONF:-}" && -f "${SLURM_CONF}" ]]; then
  echo "export SLURM_CONF=$(printf %q "$SLURM_CONF")"
elif [[ -z "${SR_PRIVATE_CLUSTER:-}" && -f /etc/slurm/slurm.conf ]]; then
  echo "export SLURM_CONF=/etc/slurm/slurm.conf"
else
  echo "scheduler-rest: no Slurm configured on this host; using the private cluster in .cluster/" >&2
  bash "$root/scripts/cluster.sh" up
fi
