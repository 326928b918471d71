/**
 * jobs.submit as sbatch builds it (src/sbatch/opt.c, src/common/slurm_opt.c of Slurm 22.05): the
 * script's #SBATCH directives first, the request's fields over them, then sbatch's defaults and
 * arithmetic (tasks, CPUs, node counts, absolute paths), into a job_desc_msg_t. No I/O.
 */
import { getPriority, hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { JobSubmission } from '../../commands.js';
import { GatewayError } from '../../errors.js';
import { assertJobEnvironment, DEFAULT_JOB_ENV } from '../../slurm/job-environment.js';
import { directiveLines, plainWords } from '../../slurm/script-directives.js';
import { timeStr2Mins } from '../../slurm/values.js';
import { mailTypeBits } from '../../slurm/submit-options.js';
import type { Constants, RawJobDesc } from './binding.js';

export interface SubmitContext {
  /** sbatch's working directory: the gateway's, or under --auth=jwt the caller's home. */
  cwd: string;
  uid: number;
  gid: number;
}

const rejected = (sentence: string) =>
  new GatewayError('scheduler_rejected', `Job submission failed: ${sentence}`, { details: { slurm_error: sentence } });

/** _get_script_buffer()'s checks, with its first complaint. */
function checkScript(script: string): void {
  if (script.length === 0) throw rejected('Batch script is empty!');
  if (script.trim() === '') throw rejected('Batch script contains only whitespace!');
  if (!script.startsWith('#!')) throw rejected('This does not look like a batch script.  The first line must start with #! followed by the path to an interpreter.');
  if (script.includes('\0')) throw rejected("The Slurm controller does not allow scripts that contain a NULL character '\\0'.");
  if (script.includes('\r\n')) throw rejected('Batch script contains DOS line breaks (\\r\\n) instead of expected UNIX line breaks (\\n).');
}

/** The request's fields, by sbatch option. */
const OPTIONS: Record<string, keyof JobSubmission> = {
  'job-name': 'name', J: 'name',
  partition: 'partition', p: 'partition',
  time: 'time_limit', t: 'time_limit',
  nodes: 'nodes', N: 'nodes',
  ntasks: 'ntasks', n: 'ntasks',
  'cpus-per-task': 'cpus_per_task', c: 'cpus_per_task',
  mem: 'memory_per_node',
  chdir: 'working_directory', D: 'working_directory',
  output: 'stdout', o: 'stdout',
  error: 'stderr', e: 'stderr',
  account: 'account', A: 'account',
  qos: 'qos', q: 'qos',
  comment: 'comment',
  array: 'array', a: 'array',
  dependency: 'dependency', d: 'dependency',
  hold: 'hold', H: 'hold',
};

type Raw = Partial<Record<keyof JobSubmission, string | true>>;

/**
 * The #SBATCH lines sbatch reads (src/slurm/script-directives.ts), applied option by option: only
 * the options the request can also give; any other is refused, since it could not be honoured.
 * (#SLURM lines, deprecated, are not applied.)
 */
export function scriptDirectives(script: string): Raw {
  const raw: Raw = {};
  for (const { magic, rest } of directiveLines(script)) {
    if (magic !== '#SBATCH') continue;
    const args = plainWords(rest);
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      let name: string;
      let value: string | undefined;
      if (arg.startsWith('--')) {
        const eq = arg.indexOf('=');
        name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
        value = eq < 0 ? undefined : arg.slice(eq + 1);
      } else if (arg.startsWith('-') && arg.length >= 2) {
        name = arg[1]!;
        value = arg.length > 2 ? arg.slice(2) : undefined;
      } else {
        throw rejected(`unexpected #SBATCH argument ${JSON.stringify(arg)}`);
      }
      const field = OPTIONS[name];
      if (!field) {
        throw rejected(`#SBATCH ${arg.startsWith('--') ? '--' : '-'}${name} is not supported by --executor=internal; pass it as a request field or use --executor=external`);
      }
      if (field === 'hold') raw.hold = true;
      else raw[field] = value ?? args[++i] ?? '';
    }
  }
  return raw;
}

/** Kept here for callers of this module (test/internal/errors.test.ts): the rule is src/slurm/values.ts. */
export { timeStr2Mins };

/** str_to_mbytes(): a number with an optional K/M/G/T suffix; MiB. */
function mebibytes(text: string): number | undefined {
  const m = /^(\d+)([KMGT]?)B?$/i.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  switch (m[2]!.toUpperCase()) {
    case 'K': return Math.ceil(n / 1024);
    case 'G': return n * 1024;
    case 'T': return n * 1024 * 1024;
    default: return n;
  }
}

const positive = (text: string, what: string): number => {
  if (!/^\d+$/.test(text.trim()) || Number(text) <= 0) throw rejected(`Invalid ${what} argument: ${text}`);
  return Number(text);
};

/** JobSubmission (+ #SBATCH directives) -> the job_desc_msg_t that sbatch would send. */
export function jobDescriptor(s: JobSubmission, ctx: SubmitContext, c: Constants): RawJobDesc {
  checkScript(s.script);
  const script = scriptDirectives(s.script);
  const pick = <K extends keyof JobSubmission>(key: K): string | true | undefined => {
    const value = s[key];
    if (value !== undefined && value !== null) return typeof value === 'boolean' ? (value ? true : undefined) : String(value);
    return script[key];
  };
  const text = (key: keyof JobSubmission) => {
    const v = pick(key);
    return typeof v === 'string' ? v : undefined;
  };

  const desc: RawJobDesc = { script: s.script, user_id: ctx.uid, group_id: ctx.gid, contiguous: 0, mail_type: 0 };
  const chdir = text('working_directory');
  const workDir = chdir === undefined ? ctx.cwd : isAbsolute(chdir) ? chdir : resolve(ctx.cwd, chdir);
  desc.work_dir = workDir;
  // sbatch makes --output/--error absolute against the working directory (_fullpath()).
  const full = (p: string | undefined) => (p === undefined || p.startsWith('/') ? p : `${workDir}/${p}`);
  desc.std_in = '/dev/null';
  const out = full(text('stdout'));
  const err = full(text('stderr'));
  if (out !== undefined) desc.std_out = out;
  if (err !== undefined) desc.std_err = err;
  desc.name = text('name') ?? 'sbatch';
  for (const [key, field] of [['partition', 'partition'], ['account', 'account'], ['qos', 'qos'], ['comment', 'comment'], ['array', 'array_inx'], ['dependency', 'dependency']] as const) {
    const v = text(key);
    if (v !== undefined) desc[field] = v;
  }

  const time = text('time_limit');
  if (time !== undefined) {
    const minutes = timeStr2Mins(time);
    if (minutes === undefined) throw rejected('Invalid --time specification');
    desc.time_limit = minutes <= 0 ? c.INFINITE : minutes;
  }
  const mem = text('memory_per_node');
  if (mem !== undefined) {
    const mib = s.memory_per_node !== undefined ? s.memory_per_node : mebibytes(mem);
    if (mib === undefined) throw rejected('Invalid --mem specification');
    desc.pn_min_memory = mib;
  }
  if (pick('hold') === true) desc.priority = 0;

  // The options of #12, from the request only (slurm_opt_create_job_desc(), 22.05).
  if (s.gpus !== undefined) desc.tres_per_job = `gres:gpu:${s.gpus}`;
  if (s.gres !== undefined) desc.tres_per_node = s.gres.split(',').map((g) => `gres:${g}`).join(',');
  if (s.constraint !== undefined) desc.features = s.constraint;
  if (s.memory_per_cpu !== undefined) desc.mem_per_cpu = s.memory_per_cpu;
  if (s.begin_time !== undefined) desc.begin_time = s.begin_time;
  if (s.deadline !== undefined) desc.deadline = s.deadline;
  if (s.reservation !== undefined) desc.reservation = s.reservation;
  if (s.exclusive) desc.shared = 0; // JOB_SHARED_NONE
  if (s.mail_type !== undefined) desc.mail_type = mailTypeBits(s.mail_type);
  if (s.mail_user !== undefined) desc.mail_user = s.mail_user;
  if (s.tasks_per_node !== undefined) desc.ntasks_per_node = s.tasks_per_node;
  if (s.licenses !== undefined) desc.licenses = s.licenses;
  if (s.requeue !== undefined) desc.requeue = s.requeue ? 1 : 0;

  // Tasks, CPUs and nodes: sbatch's _opt_verify() and slurm_opt_create_job_desc().
  const nodesText = text('nodes');
  const ntasksText = text('ntasks');
  const cpusText = text('cpus_per_task');
  let minNodes = 0;
  let maxNodes = 0;
  if (nodesText !== undefined) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(nodesText.trim());
    if (!m) throw rejected(`Invalid node count specification: ${nodesText}`);
    minNodes = Number(m[1]);
    maxNodes = m[2] !== undefined ? Number(m[2]) : minNodes;
  }
  let ntasks = ntasksText !== undefined ? positive(ntasksText, '--ntasks') : 1;
  const cpus = cpusText !== undefined ? positive(cpusText, '--cpus-per-task') : undefined;
  if (nodesText !== undefined && ntasksText === undefined && (minNodes === maxNodes || maxNodes === 0)) {
    ntasks = Math.max(minNodes, 1);
  } else if (nodesText !== undefined && ntasksText !== undefined) {
    if (ntasks < maxNodes) maxNodes = ntasks;
    if (ntasks < minNodes) minNodes = maxNodes = ntasks;
  }
  let bitflags = 0;
  if (ntasksText !== undefined) {
    bitflags |= c.JOB_NTASKS_SET;
    desc.num_tasks = ntasks;
  }
  if (cpus !== undefined) {
    bitflags |= c.JOB_CPUS_SET;
    desc.cpus_per_task = cpus;
    desc.pn_min_cpus = cpus;
    desc.min_cpus = ntasks * cpus;
  } else if (nodesText !== undefined && minNodes === 0) {
    desc.min_cpus = 0;
  } else {
    desc.min_cpus = ntasks;
  }
  if (nodesText !== undefined) {
    desc.min_nodes = minNodes;
    if (maxNodes) desc.max_nodes = maxNodes;
  } else if (ntasksText !== undefined && ntasks === 0) {
    desc.min_nodes = 0;
  }
  if (bitflags) desc.bitflags = bitflags;

  // The job's environment as `sbatch --export=NIL --export-file` gives it: the caller's variables
  // over the default PATH, plus what sbatch adds; SLURM_GET_USER_ENV makes slurmd load the
  // user's login environment underneath (src/sbatch/opt.c, --export handling).
  assertJobEnvironment(s.environment);
  desc.environment = Object.entries({ ...DEFAULT_JOB_ENV, ...s.environment, ...sbatchAddedEnv() }).map(([k, v]) => `${k}=${v}`);
  return desc;
}

/** The variables sbatch itself puts into every job's environment. */
function sbatchAddedEnv(): Record<string, string> {
  return {
    SLURM_GET_USER_ENV: '1',
    SLURM_PRIO_PROCESS: String(getPriority()),
    // sbatch's own cwd, which the external executor leaves as the gateway's in every auth mode.
    SLURM_SUBMIT_DIR: process.cwd(),
    SLURM_SUBMIT_HOST: hostname(),
  };
}
