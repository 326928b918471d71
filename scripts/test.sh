#!/usr/bin/env bash
# `npm test`: build, type-check, point at a Slurm (the private cluster when none is configured)
# and run every suite: unit, parsers, executor and API contracts in every mode, integration.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
eval "$(bash scripts/ensure-slurm.sh)"
# libslurm-dev may have arrived with the private cluster, after `npm ci` skipped the binding.
[[ -f build/Release/slurm_binding.node ]] || node scripts/build-native.mjs
npm run --silent build
npm run --silent typecheck
npm run --silent lint:layers   # the layer rules and no import cycles (.dependency-cruiser.cjs)
export NODE_OPTIONS=--experimental-vm-modules
if (( $# > 0 )); then exec npx jest --runInBand "$@"; fi

# The whole suite in two passes. Most suites spend their time waiting for Slurm (a job to start,
# slurmdbd's answer, a deadline to pass), so they share the cluster two at a time. The suites that
# change the cluster's configuration (slurm.conf, the normal QOS) or count the controller's RPCs
# (sdiag) would disturb, or be disturbed by, a neighbour: they run alone, after the others.
alone=(
  test/integration/accounting.test.ts    # MinJobAge=2 in slurm.conf: everyone's ended jobs would vanish
  test/integration/ended-output.test.ts  # MinJobAge=2 in slurm.conf: everyone's ended jobs would vanish
  test/integration/accounts-api.test.ts  # limits on the normal QOS that every suite submits with
  test/integration/events.test.ts        # counts job-info RPCs in sdiag
  test/internal/memory.test.ts           # RSS growth: slurmdbd's answers grow with neighbours' jobs
)
ignore=(/node_modules/ "<rootDir>/test/faults/")
for suite in "${alone[@]}"; do ignore+=("<rootDir>/${suite}"); done
npx jest --maxWorkers=2 --testPathIgnorePatterns "${ignore[@]}"
exec npx jest --runInBand "${alone[@]}"
