/**
 * `npm run bench -- --history`: GET /v1/history over N ended jobs (issue #11), first page and full
 * cursor walks, beside slurmrestd's `GET /slurmdb/v0.0.38/jobs` on the same jobs.
 *
 * The jobs: held job arrays of at most 1,000 tasks, each task split into its own record before
 * the array is cancelled, so that accounting holds one row per task. What Slurm 22.05 does with
 * the cheaper ways (checked with sacct on the private cluster):
 * - a pending array cancelled as a whole is ONE accounting row (`123_[0-999]`);
 * - `scancel 123_[0-998]` on a pending array drops those tasks from the record: no row at all;
 * - `scontrol hold 123_[0-999]` (the whole range) splits nothing.
 * `scontrol update JobId=123_[0-998] Comment=…` (every task but the last, one RPC) splits each
 * task into its own job record (new job id), and `scancel 123` then ends them all: 1,000 rows.
 * Those jobs never become eligible, so a sacct or slurmdb window without a state list (which
 * selects by eligible time) finds none of them: both systems are asked for the ended states, as
 * the gateway always does. slurmrestd needs both start_time and end_time with it, the colons of
 * a time percent-encoded (a raw `:` or `,` in the query is a 400 "Unable to parse query"), and
 * only times it can parse (an epoch is a 500 "Unable to parse time format").
 */
import type { Cluster } from './cluster.js';
import { run, sleep } from './exec.js';
import { label, type Mode } from './modes.js';
import { ensureRoom, PREFIX } from './queue.js';
import type { Machine, SystemRecord } from './results.js';
import { cpuMs } from './sampler.js';

/** The states a job ends in, as src/slurm/history.ts asks sacct for them (bench cannot import src). */
export const ENDED_STATES = [
  'COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE',
  'OUT_OF_MEMORY', 'REQUEUED', 'RESIZING', 'REVOKED',
] as const;

/**
 * What slurmrestd is asked for: the ended states less RESIZING and REVOKED. With either of those in
 * the list (RESIZING,REVOKED together, or after the other ten) dbv0.0.38 answers 500 "Unable to
 * parse CSV list" (22.05.8, measured; a repeated state does the same: they seem to map to one
 * value and the parser refuses a duplicate). Neither is a state a job ends in for these jobs.
 */
export const SLURMRESTD_STATES = ENDED_STATES.filter((s) => s !== 'RESIZING' && s !== 'REVOKED');

/** Tasks per array: 1,000 records at a time in slurmctld, which keeps each for MinJobAge after it ends. */
const BATCH = 1000;
/** History windows end 10 s before now (HISTORY_SETTLE_SECONDS) and slurmdbd shows ends ~4 s late. */
const SETTLE_S = 15;

export interface HistoryData {
  /** The job name every measured job has, and no other job. */
  tag: string;
  jobs: number;
  /** The window (epoch seconds) that holds every end: from before the first submission to just after the last end. */
  start: number;
  end: number;
  /** Distinct seconds the ends fall in. */
  endSeconds: number;
  /** Seconds to submit, split and cancel them, and to see them all in sacct. */
  createS: number;
  recordedS: number;
}

export interface HistoryRow {
  system: string;
  /** Page size; null for slurmrestd (no paging: one request answers everything). */
  limit: number | null;
  /** Median time to the first page, ms (slurmrestd: null). */
  firstPageMs: number | null;
  /** Median time of the whole walk (slurmrestd: its one request), s. */
  walkS: number;
  /** Requests in one walk. */
  pages: number;
  /** Jobs the walk returned, and how many distinct ids among them (the last repetition's). */
  returned: number;
  distinct: number;
  /** Distinct jobs per second of walk. */
  jobsPerS: number;
  /** CPU of the server (gateway: with its reaped sacct runs), slurmdbd and mariadbd, per walk, ms (median). */
  serverCpuMs: number;
  slurmdbdCpuMs: number;
  mariadbCpuMs: number;
  /** Every repetition's walk time, s. */
  walksS: number[];
  /** Each walk returned every job exactly once. */
  ok: boolean;
  problem?: string;
}

export interface HistoryResults {
  date: string;
  command: string;
  machine: Machine;
  slurmVersion: string;
  data: HistoryData;
  repetitions: number;
  limits: number[];
  /** The gateway's --parallel. */
  parallel: number;
  systems: SystemRecord[];
  rows: HistoryRow[];
}

/** A history target: a started gateway or slurmrestd. */
export interface HistoryTarget {
  system: string;
  url: string;
  headers: Record<string, string>;
  pid: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Epoch seconds as Slurm reads a time without a zone: the machine's local time, YYYY-MM-DDTHH:MM:SS. */
export function slurmTime(epoch: number): string {
  const d = new Date(epoch * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** JobIDRaw -> end (epoch s) of every ended job named `tag` whose end is in [start, end], as sacct -X sees them. */
export async function sacctEnds(cluster: Cluster, tag: string, start: number, end: number): Promise<Map<number, number>> {
  const { stdout } = await run('sacct', [
    '-X', '-n', '-P', '--allusers', `--state=${ENDED_STATES.join(',')}`, `--starttime=${slurmTime(start)}`, `--endtime=${slurmTime(end)}`,
    `--name=${tag}`, '--format=JobIDRaw,End',
  ], { env: { ...cluster.env, SLURM_TIME_FORMAT: '%s' }, timeoutMs: 300_000 });
  const ends = new Map<number, number>();
  for (const line of stdout.split('\n')) {
    const m = /^(\d+)\|(\d+)$/.exec(line.trim());
    if (m) ends.set(Number(m[1]), Number(m[2]));
  }
  return ends;
}

/**
 * Creates `n` ended jobs named `tag` (held array tasks split into their own records, then
 * cancelled, `BATCH` at a time, a second apart so the ends spread over several seconds), waits
 * until sacct shows all `n` and until the newest end is `SETTLE_S` old.
 */
export async function createHistory(cluster: Cluster, n: number, runId: string, say: (line: string) => void): Promise<HistoryData> {
  const tag = `${PREFIX}h-${runId}`;
  const start = Math.floor(Date.now() / 1000) - 2;
  const t0 = Date.now();
  for (let done = 0; done < n;) {
    const size = Math.min(BATCH, n - done);
    await ensureRoom(cluster, size, 420_000, say);
    const { stdout } = await run('sbatch', [
      '--hold', '--parsable', `--job-name=${tag}`, '--partition=debug', '--time=5', '--ntasks=1', '--output=/dev/null', '--chdir=/tmp',
      ...(size > 1 ? [`--array=0-${size - 1}`] : []), '--wrap=true',
    ], { env: cluster.env });
    const id = stdout.trim().split(';')[0] as string;
    // Every task but the last: the whole range would update the array record itself, unsplit.
    if (size > 1) await run('scontrol', ['update', `JobId=${id}_[0-${size - 2}]`, 'Comment=srbench-history'], { env: cluster.env, timeoutMs: 120_000 });
    const { stdout: queued } = await run('squeue', ['-h', '-t', 'PENDING', `--name=${tag}`, '-o', '%i'], { env: cluster.env });
    const records = queued.split('\n').filter(Boolean).length;
    await run('scancel', [id], { env: cluster.env, timeoutMs: 120_000 });
    if (records !== size) throw new Error(`array ${id}: ${records} pending records after the split, expected ${size} (one per task)`);
    done += size;
    say(`bench: history: ${done}/${n} jobs ended (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    if (done < n) await sleep(1000);
  }
  const createS = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  let ends = new Map<number, number>();
  for (const deadline = Date.now() + 300_000; ;) {
    ends = await sacctEnds(cluster, tag, start, Math.floor(Date.now() / 1000) + 60);
    if (ends.size >= n) break;
    if (Date.now() > deadline) throw new Error(`sacct shows ${ends.size} ended jobs named ${tag} after 300 s, expected ${n}`);
    await sleep(2000);
  }
  const recordedS = (Date.now() - t1) / 1000;
  if (ends.size !== n) throw new Error(`sacct shows ${ends.size} ended jobs named ${tag}, expected ${n}`);
  const last = Math.max(...ends.values());
  const first = Math.min(...ends.values());
  const wait = (last + SETTLE_S) * 1000 - Date.now();
  if (wait > 0) await sleep(wait);
  const end = last + 1;
  const check = await sacctEnds(cluster, tag, start, end);
  if (check.size !== n) throw new Error(`sacct shows ${check.size} ended jobs named ${tag} in [${slurmTime(start)}, ${slurmTime(end)}], expected ${n}`);
  say(`bench: history: sacct -X --name=${tag} -S ${slurmTime(start)} -E ${slurmTime(end)}: ${check.size} jobs, ends ${slurmTime(first)} to ${slurmTime(last)}; created in ${createS.toFixed(1)} s, all in sacct ${recordedS.toFixed(1)} s later`);
  return { tag, jobs: n, start, end, endSeconds: new Set(ends.values()).size, createS, recordedS };
}

interface Answer { status: number; body: unknown; ms: number }

async function getJson(url: string, headers: Record<string, string>): Promise<Answer> {
  const t = performance.now();
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(600_000) });
  const text = await response.text();
  const ms = performance.now() - t;
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* keep the text */ }
  return { status: response.status, body, ms };
}

/** The gateway's or slurmrestd's own message for a failed request, on one line. */
function failure(what: string, answer: Answer): Error {
  const body = answer.body as { error?: { code?: string; message?: string }; errors?: Array<{ error?: string; description?: string }> };
  const said = body?.error ? `${body.error.code}: ${body.error.message}`
    : body?.errors?.length ? body.errors.map((e) => `${e.error ?? ''} ${e.description ?? ''}`.trim()).join('; ')
      : String(answer.body).slice(0, 300);
  return new Error(`${what} answered ${answer.status}: ${said}`.replace(/\s+/g, ' '));
}

type JobIds = { job_id?: unknown }[];

/** One walk of GET /v1/history with `limit`, following next_cursor to the end. */
async function walkGateway(target: HistoryTarget, data: HistoryData, limit: number): Promise<{ firstMs: number; walkMs: number; pages: number; ids: number[] }> {
  const base = new URLSearchParams({ name: data.tag, start: new Date(data.start * 1000).toISOString(), end: new Date(data.end * 1000).toISOString(), limit: String(limit) });
  const ids: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  let firstMs = 0;
  const t = performance.now();
  do {
    const query = new URLSearchParams(base);
    if (cursor) query.set('cursor', cursor);
    const answer = await getJson(`${target.url}/v1/history?${query}`, target.headers);
    if (answer.status !== 200) throw failure(`GET /v1/history (page ${pages + 1})`, answer);
    const page = answer.body as { jobs: JobIds; next_cursor: string | null };
    if (!pages) firstMs = answer.ms;
    pages++;
    for (const job of page.jobs) ids.push(Number(job.job_id));
    cursor = page.next_cursor;
    // Bounded: a cursor that never ends would otherwise loop for ever.
    if (pages > data.jobs / limit + 10) throw new Error(`GET /v1/history: still a next_cursor after ${pages} pages of ${limit} for ${data.jobs} jobs`);
  } while (cursor);
  return { firstMs, walkMs: performance.now() - t, pages, ids };
}

/** slurmrestd's whole answer: no paging in dbv0.0.38. */
async function walkSlurmrestd(target: HistoryTarget, data: HistoryData): Promise<{ firstMs: number; walkMs: number; pages: number; ids: number[] }> {
  const query = new URLSearchParams({
    start_time: slurmTime(data.start), end_time: slurmTime(data.end), job_name: data.tag, state: SLURMRESTD_STATES.join(','), skip_steps: 'true',
  });
  const answer = await getJson(`${target.url}/slurmdb/v0.0.38/jobs?${query}`, target.headers);
  if (answer.status !== 200) throw failure('GET /slurmdb/v0.0.38/jobs', answer);
  const jobs = (answer.body as { jobs?: JobIds }).jobs ?? [];
  return { firstMs: answer.ms, walkMs: answer.ms, pages: 1, ids: jobs.map((j) => Number(j.job_id)) };
}

export interface CostPids { slurmdbd: number; mariadbd: number }

/**
 * Measures one system: `repetitions` walks per page size (gateway) or requests (slurmrestd).
 * Throws (the system's own message) when its first request fails: the mode is then unavailable.
 */
export async function measureHistory(target: HistoryTarget, kind: 'gateway' | 'slurmrestd', data: HistoryData, limits: number[], repetitions: number, pids: CostPids, say: (line: string) => void): Promise<HistoryRow[]> {
  const rows: HistoryRow[] = [];
  for (const limit of kind === 'gateway' ? limits : [null]) {
    const walks: Array<{ firstMs: number; walkMs: number; pages: number; ids: number[]; server: number; dbd: number; db: number }> = [];
    for (let r = 0; r < repetitions; r++) {
      const before = [cpuMs(target.pid), cpuMs(pids.slurmdbd), cpuMs(pids.mariadbd)] as const;
      const walk = limit === null ? await walkSlurmrestd(target, data) : await walkGateway(target, data, limit);
      walks.push({ ...walk, server: cpuMs(target.pid) - before[0], dbd: cpuMs(pids.slurmdbd) - before[1], db: cpuMs(pids.mariadbd) - before[2] });
      say(`bench: history: ${target.system} limit=${limit ?? 'all'} #${r + 1}: first page ${walk.firstMs.toFixed(0)} ms, walk ${(walk.walkMs / 1000).toFixed(2)} s, ${walk.pages} pages, ${walk.ids.length} jobs (${new Set(walk.ids).size} distinct)`);
      await sleep(500);
    }
    const problems = walks.map((w) => {
      const distinct = new Set(w.ids).size;
      if (distinct === w.ids.length && distinct === data.jobs) return undefined;
      return `${w.ids.length} jobs returned, ${distinct} distinct, expected ${data.jobs}`;
    }).filter(Boolean) as string[];
    const last = walks.at(-1)!;
    const walkS = median(walks.map((w) => w.walkMs)) / 1000;
    const distinct = new Set(last.ids).size;
    rows.push({
      system: target.system, limit,
      firstPageMs: limit === null ? null : median(walks.map((w) => w.firstMs)),
      walkS, pages: last.pages, returned: last.ids.length, distinct, jobsPerS: distinct / walkS,
      serverCpuMs: median(walks.map((w) => w.server)), slurmdbdCpuMs: median(walks.map((w) => w.dbd)), mariadbCpuMs: median(walks.map((w) => w.db)),
      walksS: walks.map((w) => w.walkMs / 1000),
      ok: problems.length === 0,
      ...(problems.length && { problem: [...new Set(problems)].join('; ') }),
    });
  }
  return rows;
}

/** The modes `--history` measures unless `--modes` says otherwise. */
export const HISTORY_MODES: Mode[] = [
  { kind: 'slurmrestd' },
  { kind: 'gateway', executor: 'internal', application: 'thread' },
  { kind: 'gateway', executor: 'external', application: 'thread' },
];

export function historyTarget(mode: Mode, url: string, headers: Record<string, string>, pid: number): HistoryTarget {
  return { system: label(mode), url, headers, pid };
}
