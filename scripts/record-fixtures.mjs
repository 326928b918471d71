#!/usr/bin/env node
// Re-records the executor contract's fixtures (test/fixtures/slurm-22.05/contract/) from the real
// cluster: compiles test/support/executor-contract/record.ts (and what it imports) with tsc into
// node_modules/.cache/record-fixtures/, then runs it with this environment's SLURM_CONF.
//
//   eval "$(bash scripts/cluster.sh up)" && node scripts/record-fixtures.mjs
//
// It submits a few jobs named contract-<random> (held, finished, cancelled at the end).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!process.env.SLURM_CONF) {
  console.error('record-fixtures: SLURM_CONF is not set: eval "$(bash scripts/cluster.sh up)" first');
  process.exit(1);
}
const outDir = join(root, 'node_modules/.cache/record-fixtures');
rmSync(outDir, { recursive: true, force: true });
execFileSync(join(root, 'node_modules/.bin/tsc'), [
  '--outDir', outDir, '--rootDir', root, '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
  '--strict', '--esModuleInterop', '--skipLibCheck', '--types', 'node',
  join(root, 'test/support/executor-contract/record.ts'),
], { stdio: 'inherit', cwd: root });
execFileSync(process.execPath, [join(outDir, 'test/support/executor-contract/record.js'), root], { stdio: 'inherit', cwd: root });
