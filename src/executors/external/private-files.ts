/** Files only the tool reads (sbatch's --export-file), in a fresh 0700 directory, removed after the run. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A file only the tool reads, passed as `--flag=<path>` and removed after the run. */
export interface PrivateFile {
  flag: string;
  content: string;
}

/** Writes a run's private files into a fresh 0700 directory. */
export function writeFiles(files: PrivateFile[]): { args: string[]; remove: () => void } {
  if (!files.length) return { args: [], remove: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'scheduler-rest-'));
  const args = files.map(({ flag, content }, i) => {
    const path = join(dir, String(i));
    writeFileSync(path, content, { mode: 0o600 });
    return `--${flag}=${path}`;
  });
  return { args, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
