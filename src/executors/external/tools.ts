/** Which Slurm tools the external executor runs, and where each one is found. */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

export const SLURM_TOOLS = ['sbatch', 'squeue', 'scancel', 'scontrol', 'sinfo', 'sacct', 'sacctmgr', 'sdiag'] as const;
export type SlurmTool = (typeof SLURM_TOOLS)[number];

/**
 * Absolute paths of the tools, looked up once each: in `--slurm-bin-dir` when given (`unshare`
 * excepted), else on the tool environment's PATH. Absolute, because a tool's own PATH may be the
 * job's (a caller-given PATH).
 */
export class ToolPaths {
  readonly #binDir?: string;
  readonly #searchPath: string;
  readonly #paths = new Map<string, string>();

  constructor(binDir: string | undefined, searchPath: string | undefined) {
    this.#binDir = binDir;
    this.#searchPath = searchPath ?? '/usr/bin:/bin';
  }

  /** Where a missing tool was looked for, for the error message. */
  get where(): string {
    return this.#binDir ? ` in ${this.#binDir}` : ' on PATH';
  }

  resolve(tool: string): string {
    if (this.#binDir && tool !== 'unshare') return join(this.#binDir, tool);
    let path = this.#paths.get(tool);
    if (path === undefined) {
      const dirs = this.#searchPath.split(':').filter(Boolean);
      path = dirs.map((dir) => join(dir, tool)).find((candidate) => { try { accessSync(candidate, constants.X_OK); return true; } catch { return false; } }) ?? tool;
      this.#paths.set(tool, path);
    }
    return path;
  }
}
