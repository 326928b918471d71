/**
 * Fixture executables, only for failures a real Slurm cannot produce on demand: a tool that
 * hangs, one that prints garbage, one that is slow (to watch the dispatch bound). Every other
 * tool in the directory is the real one.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execFileSync } from 'node:child_process';

export type Behaviour = 'real' | 'hang' | 'garbage' | 'slow';
const TOOLS = ['sbatch', 'squeue', 'scancel', 'scontrol', 'sinfo', 'sacct', 'sacctmgr', 'sdiag'];

function realPath(tool: string): string {
  return execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
}

/**
 * A bin directory for --slurm-bin-dir. Slow tools append "start <pid> <ms>" and "end <pid> <ms>"
 * lines to `log`, so a test can count how many ran at once.
 */
export function makeBinDir(behaviours: Partial<Record<string, Behaviour>>, log = join(tmpdir(), 'unused.log'), delaySeconds = 0.6): string {
  const dir = mkdtempSync(join(tmpdir(), 'scheduler-rest-bin-'));
  for (const tool of TOOLS) {
    const real = realPath(tool);
    const body = {
      real: `exec ${real} "$@"`,
      // exec: the sleeping process is the one the gateway must kill. Named after this directory
      // (bash's exec -a), so a test finds and ends its own hung tools, never another run's (or a
      // job's `sleep 600`): see hungTools().
      hang: `exec -a ${hangName(dir)} sleep 600`,
      garbage: 'printf "this is not\\037what was asked\\n\\001\\002garbage"; exit 0',
      slow: `echo "start $$ $(date +%s%3N)" >> ${log}; sleep ${delaySeconds}; ${real} "$@"; rc=$?; echo "end $$ $(date +%s%3N)" >> ${log}; exit $rc`,
    }[behaviours[tool] ?? 'real'];
    const path = join(dir, tool);
    writeFileSync(path, `#!/bin/bash\n${body}\n`);
    chmodSync(path, 0o755);
  }
  return dir;
}

const hangName = (binDir: string) => `scheduler-rest-hang-${basename(binDir)}`;

/** Pids of the hung tools of one makeBinDir() directory still running. */
export function hungTools(binDir: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `^${hangName(binDir)} `], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when none matches
  }
}

/** SIGKILLs the hung tools of one makeBinDir() directory, by pid. */
export function killHungTools(binDir: string): void {
  for (const pid of hungTools(binDir)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
  }
}

/** The largest number of slow tool runs that overlapped, from a fixture log. */
export function peakOverlap(logText: string): number {
  const events = logText.trim().split('\n').filter(Boolean).map((line) => {
    const [kind, , at] = line.split(' ');
    return { delta: kind === 'start' ? 1 : -1, at: Number(at) };
  }).sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let peak = 0;
  for (const e of events) { now += e.delta; peak = Math.max(peak, now); }
  return peak;
}
