#!/usr/bin/env bash
# `npm test`: build, type-check, point at a Slurm (the private cluster when none is configured)
# and run every suite: unit, parsers, executor and API contracts in every mode, integration.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
eval "$(bash scripts/ensure-slurm.sh)"
# libslurm-dev may have arrived with the private cluster, after `npm ci` skipped the binding.
[[ -f build/Release/slurm_binding.node ]] || node scripts/build-native.mjs
# Build when a source is newer than the last build. A build deletes dist/ first, so .ci/run builds
# once and its two runs side by side (npm test, npm run test:faults) leave dist/ alone.
if [[ ! -f dist/.built || -n "$(find src bin package.json tsconfig.json tsconfig.build.json -newer dist/.built -print -quit)" ]]; then
  npm run --silent build
  touch dist/.built
fi
npm run --silent typecheck
npm run --silent lint:layers   # the layer rules and no import cycles (.dependency-cruiser.cjs)
export NODE_OPTIONS=--experimental-vm-modules
if (( $# > 0 )); then exec npx jest --runInBand "$@"; fi

# The whole suite in two passes. Most suites spend their time waiting for Slurm (a job to start,
# slurmdbd's answer, a deadline to pass), so they share the cluster two at a time. The suites that
# change the cluster's configuration (slurm.conf, the normal QOS), count the controller's RPCs
# (sdiag), need the job table to stand still or measure RSS growth would disturb, or be disturbed
# by, a neighbour: they run alone, after the others (whether the first pass failed or not; the
# exit status is the first failure's).
alone=(
  # slurm.conf or slurmdbd.conf changed and reconfigured (two at once would also restore each
  # other's edits): MinJobAge=2 would purge everyone's ended jobs, PrivateData hides jobs,
  # reservations, history or users from the alice and bob of the security suites.
  test/integration/accounting.test.ts test/integration/ended-output.test.ts test/internal/accounting.test.ts
  test/security/events-identity.test.ts test/security/resources-identity.test.ts
  test/security/history-privacy.test.ts test/security/accounts-privacy.test.ts
  # limits set on the normal QOS, which every suite submits with
  test/integration/accounts-api.test.ts test/internal/assoc-parity.test.ts
  test/integration/events.test.ts  # counts job-info RPCs in sdiag
  test/integration/http-serving.test.ts  # waits for slurmctld's job table to stay unchanged for a second
  test/internal/memory.test.ts     # RSS growth: beside a neighbour, one of its rounds grew 78 MiB
  # stops slurmctld and munged with SIGSTOP: a neighbour's calls then fail with 503 (seen in CI as
  # a 503 in the load test, in GET /v1/health and in the dispatch suite)
  test/integration/pool-faults.test.ts
  test/integration/node-lists.test.ts  # drains the cluster's only node: a neighbour's jobs would wait
)
# A suite that reconfigures the cluster, changes the normal QOS, stops a daemon or drains the node and is not in
# the list would disturb its neighbours in the first pass: refuse to start.
for suite in $(grep -rlE "reconfigure|'modify', 'qos'|SIGSTOP|state=drain" test --include='*.test.ts' | grep -v '^test/faults/'); do
  [[ " ${alone[*]} " == *" $suite "* ]] || { echo "scripts/test.sh: $suite changes the cluster's configuration, stops a daemon or drains the node; add it to the suites that run alone" >&2; exit 1; }
done
ignore=(/node_modules/ "<rootDir>/test/faults/")
for suite in "${alone[@]}"; do ignore+=("<rootDir>/${suite}"); done
shared=0
npx jest --maxWorkers=2 --testPathIgnorePatterns "${ignore[@]}" || shared=$?
npx jest --runInBand "${alone[@]}"
exit "$shared"
