/**
 * Where a job's stdout/stderr really lands: Slurm's default name when none was given, relative
 * paths under the working directory, and sbatch's filename patterns expanded (%j, %A, %a, %u,
 * %x, %N, %%, with optional zero padding such as %4a). Both executors use this, so they agree.
 * Patterns that only exist per step or task (%s, %t, %n, %J) are left as they are. A pending array
 * record that stands for several tasks has no path unless the pattern names one file for all.
 */
export interface OutputPathJob {
  job_id: number;
  array_job_id: number | null;
  array_task_id: number | null;
  user: string;
  name: string;
  nodes: string | null;
  working_directory: string | null;
}

export function outputPath(pattern: string | null, job: OutputPathJob): string | null {
  const isArrayTask = job.array_job_id !== null && job.array_task_id !== null;
  // A record that still stands for several pending tasks has no one file: each task will write
  // its own (the default name and %a, %j name the task). Unknown rather than a wrong name.
  if (job.array_job_id !== null && job.array_task_id === null && (pattern === null || /%\d*[aj]/.test(pattern))) return null;
  const raw = pattern ?? (isArrayTask ? 'slurm-%A_%a.out' : 'slurm-%j.out');
  const absolute = raw.startsWith('/') ? raw : job.working_directory ? `${job.working_directory.replace(/\/$/, '')}/${raw}` : null;
  if (absolute === null) return null;
  if (absolute.includes('\\')) return absolute.replace(/\\/g, ''); // "\" turns expansion off (sbatch)
  return absolute.replace(/%(\d*)([AajuxN%])/g, (whole, width: string, letter: string) => {
    const pad = (value: number | null) => (value === null ? whole : String(value).padStart(Number(width || 0), '0'));
    switch (letter) {
      case '%': return '%';
      case 'j': return pad(job.job_id);
      case 'A': return pad(job.array_job_id ?? job.job_id);
      case 'a': return isArrayTask ? pad(job.array_task_id) : whole;
      case 'u': return job.user;
      case 'x': return job.name;
      case 'N': return firstHost(job.nodes) ?? whole;
      default: return whole;
    }
  });
}

/** The first host of a Slurm host list: "vm" -> "vm", "n[007-9,12],m1" -> "n007". */
export function firstHost(nodes: string | null): string | null {
  if (!nodes) return null;
  const m = /^([^,[]+)(?:\[(\d+))?/.exec(nodes);
  return m ? m[1]! + (m[2] ?? '') : null;
}
