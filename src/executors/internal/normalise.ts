/**
 * The field mapping: libslurm records -> the gateway's model, in one place. Each field is what
 * the external executor reads from squeue/sinfo/scontrol/sdiag for the same object: the value
 * as the tool would print it, then the same placeholder rules (src/slurm/values.ts), so both
 * executors answer equal JSON. Where the tools lose information we follow them for parity and
 * say so (PARITY notes; docs/internal-executor.md lists them). Pure.
 */
import type { BackfillStats, ClusterInfo, ControllerStats, Job, License, Node, Partition, Reservation } from '../../model.js';
import { exitCode } from '../../slurm/values.js';
import { epochToIso, list, optionalText, positiveOrNull } from '../../slurm/values.js';
import { outputPath } from '../../slurm/output-path.js';
import { CONTROLLER_SOURCED, parseTres } from '../../slurm/accounting.js';
import { cpuLoadOf, gresUsed, licenseCounts, reservationState, sdiagOrder } from '../../slurm/resources.js';
import type { Constants, RawConfig, RawJob, RawLicense, RawNode, RawPartition, RawReservation, RawStats } from './binding.js';

/** What `%s` prints for a NULL string (glibc). */
const printed = (s: string | null): string => s ?? '(null)';
const int32 = (n: number): number => n | 0;
const YEAR_SECONDS = 365 * 24 * 3600;

export function toJob(r: RawJob, c: Constants, now = Date.now() / 1000): Job {
  const job = printedJob(r, c, now);
  // As parse/jobs.ts: squeue's "<workdir>/slurm-<job id>.out" stand-in means "no file given";
  // then Slurm's real default and the filename patterns (output-path.ts, shared).
  const given = (path: string | null) => (path === `${job.working_directory}/slurm-${job.job_id}.out` ? null : path);
  return { ...job, stdout_path: outputPath(given(job.stdout_path), job), stderr_path: outputPath(given(job.stderr_path), job) };
}

/** Each field as squeue prints it, read with the external parser's rules. */
function printedJob(r: RawJob, c: Constants, now: number): Job {
  // ArrayTaskID: the pending tasks a record stands for, else its task, else "N/A".
  const taskText = r.array_task_str !== null ? printed(r.array_task_str) : r.array_task_id !== c.NO_VAL ? String(r.array_task_id) : 'N/A';
  const isArray = optionalText(taskText) !== null;
  const single = /^\d+$/.test(taskText);
  const stdout = r.std_out ?? `${r.work_dir ?? '(null)'}/slurm-${r.job_id}.out`;
  return {
    job_id: r.job_id,
    array_job_id: isArray ? r.array_job_id : null,
    array_task_id: isArray && single ? Number(taskText) : null,
    array_tasks: isArray && !single ? taskText : null,
    name: printed(r.name),
    user: r.user_name,
    account: optionalText(printed(r.account)),
    partition: optionalText(printed(r.partition)),
    qos: optionalText(printed(r.qos)),
    state: r.state,
    reason: optionalText(r.state_desc ?? r.state_reason_name),
    priority: r.priority,
    submit_time: slurmTime(r.submit_time, c),
    start_time: slurmTime(r.start_time, c),
    // squeue prints NONE for the end of an unlimited job that has not ended yet.
    end_time: r.time_limit === c.INFINITE && r.end_time > now ? null : slurmTime(r.end_time, c),
    time_limit: jobTimeLimit(r.time_limit, c),
    nodes: optionalText(r.nodes ?? ''),
    // PARITY: squeue prints num_nodes with %d, so NO_VAL reads as -2.
    node_count: int32(r.num_nodes),
    cpus: r.num_cpus,
    // squeue prints the raw wait(2) status (%d); decoded as parse/jobs.ts does.
    exit_code: exitCode(String(int32(r.exit_code))),
    working_directory: optionalText(printed(r.work_dir)),
    stdout_path: optionalText(stdout),
    stderr_path: r.batch_flag ? optionalText(r.std_err ?? stdout) : null,
    dependency: optionalText(printed(r.dependency)),
    features: optionalText(printed(r.features)),
    tres_per_node: optionalText(r.tres_per_node ?? ''),
    tres_per_job: optionalText(r.tres_per_job ?? ''),
    licenses: optionalText(printed(r.licenses)),
    reservation: optionalText(printed(r.resv_name)),
    eligible_time: slurmTime(r.eligible_time, c),
    deadline: slurmTime(r.deadline, c),
    // squeue prints both with %u: NO_VAL16 reads as a number, not 0 or 1.
    requeue: r.requeue === 1 ? true : r.requeue === 0 ? false : null,
    exclusive: r.shared === 0, // job_share_string(): JOB_SHARED_NONE prints NO
    tasks_per_node: positiveOrNull(r.ntasks_per_node),
    ...CONTROLLER_SOURCED,
  };
}

/** slurm_make_time_str(): 0 and INFINITE print as placeholders. */
function slurmTime(t: number, c: Constants): string | null {
  return t === 0 || t === c.INFINITE ? null : epochToIso(String(t));
}

/** Minutes; unlimited and unset are null. PARITY: squeue prints INVALID past one year. */
function jobTimeLimit(minutes: number, c: Constants): number | null {
  if (minutes === c.INFINITE || minutes === c.NO_VAL) return null;
  return minutes * 60 > YEAR_SECONDS ? null : minutes;
}

/**
 * One sinfo row per node; `partitions` in partition-table order. The fields sinfo does not print
 * are read as `scontrol -d show node` prints them (parse/nodes.ts parseNodeDetails).
 */
export function toNode(r: RawNode, c: Constants): Node {
  const [base = '', ...flags] = r.state_complete.split('+');
  return {
    name: r.name,
    state: base.toUpperCase(),
    state_flags: flags.map((f) => f.toUpperCase()),
    cpus: { total: r.cpus, allocated: r.cpus_alloc, idle: r.cpus_idle },
    memory_mib: { total: r.real_memory ?? 0, allocated: r.alloc_memory, free: r.free_mem },
    cpu_load: cpuLoadOf(r.cpu_load, c.NO_VAL),
    partitions: [...r.partitions],
    features: list(printed(r.features)),
    active_features: list(printed(r.features_act)),
    gres: optionalText(printed(r.gres)),
    gres_used: gresUsed(printed(r.gres_used)),
    tres: parseTres(r.tres ?? ''),
    tres_allocated: parseTres(r.tres_alloc ?? ''),
    address: optionalText(printed(r.node_addr)),
    hostname: optionalText(printed(r.node_hostname)),
    os: optionalText(printed(r.os)),
    boot_time: slurmTime(r.boot_time, c),
    slurmd_start_time: slurmTime(r.slurmd_start_time, c),
    // sinfo prints "none" for no reason, and for one that starts with "(null)".
    reason: r.reason === null || r.reason.startsWith('(null)') ? null : optionalText(r.reason),
  };
}

/** `scontrol show reservation`, field for field; `now` (epoch seconds) decides State as scontrol does. */
export function toReservation(r: RawReservation, c: Constants, now: number): Reservation {
  return {
    name: printed(r.name),
    state: reservationState(r.start_time, r.end_time, Math.floor(now)),
    start_time: slurmTime(r.start_time, c),
    end_time: slurmTime(r.end_time, c),
    nodes: optionalText(printed(r.node_list)),
    node_count: r.node_cnt,
    core_count: r.core_cnt,
    partition: optionalText(printed(r.partition)),
    users: list(printed(r.users)),
    accounts: list(printed(r.accounts)),
    licenses: licenseCounts(printed(r.licenses)),
    flags: list(r.flags),
    tres: parseTres(printed(r.tres)),
  };
}

/** `scontrol show licenses`: Used is in_use, Free is available. */
export function toLicense(l: RawLicense): License {
  return { name: printed(l.name), total: l.total, used: l.in_use, free: l.available, reserved: l.reserved, remote: l.remote };
}

/** hostlist_cmp_first(): natural order of the name prefix, then the numeric suffix. */
export function compareHostnames(a: string, b: string): number {
  const split = (s: string) => {
    const m = /^(.*?)(\d*)$/.exec(s)!;
    return { prefix: m[1]!, num: m[2] ? Number(m[2]) : -1 };
  };
  const x = split(a);
  const y = split(b);
  const p = x.prefix.localeCompare(y.prefix, 'en', { numeric: true });
  if (p !== 0) return p;
  if ((x.num < 0) !== (y.num < 0)) return x.num < 0 ? 1 : -1;
  return x.num - y.num;
}

export function toPartition(r: RawPartition, c: Constants): Partition {
  const minutes = (m: number) => (m === c.INFINITE || m === c.NO_VAL ? null : m);
  return {
    name: r.name,
    state: r.state,
    default: r.default,
    nodes: optionalText(printed(r.nodes)),
    node_count: r.total_nodes,
    cpus_total: r.total_cpus,
    max_time: minutes(r.max_time),
    default_time: minutes(r.default_time),
    max_nodes: r.max_nodes === c.INFINITE ? null : r.max_nodes,
    min_nodes: r.min_nodes,
    tres: parseTres(printed(r.tres)),
  };
}

/** `scontrol show config` SlurmctldHost[i]: "machine(addr)" when they differ. */
export function toClusterInfo(config: RawConfig, stats: RawStats): ClusterInfo {
  return {
    name: config.cluster_name ?? '',
    slurm_version: config.version ?? '',
    controllers: config.controllers.map(({ machine, addr }) => (machine !== addr ? `${machine ?? '(null)'}(${addr ?? '(null)'})` : machine ?? '(null)')),
    statistics: toStats(stats),
  };
}

export function toStats(s: RawStats): ControllerStats {
  // sdiag's default order: by count, with its own exchange sort (ties keep that sort's order).
  const rpc_by_type: ControllerStats['rpc_by_type'] = {};
  for (const r of sdiagOrder(s.rpc_types)) rpc_by_type[r.name] = { count: r.count, total_time_us: r.total_time ?? 0 };
  const rpc_by_user = sdiagOrder(s.rpc_users).map((u) => {
    const total = u.total_time ?? 0;
    return { user: u.name, user_id: u.id, count: u.count, average_time_us: u.count > 0 ? Math.floor(total / u.count) : 0, total_time_us: total };
  });
  return {
    server_thread_count: int32(s.server_thread_count),
    agent_queue_size: int32(s.agent_queue_size),
    jobs_submitted: int32(s.jobs_submitted),
    jobs_started: int32(s.jobs_started),
    jobs_completed: int32(s.jobs_completed),
    jobs_canceled: int32(s.jobs_canceled),
    jobs_failed: int32(s.jobs_failed),
    jobs_pending: int32(s.jobs_pending),
    jobs_running: int32(s.jobs_running),
    schedule_cycle_last_us: s.schedule_cycle_last,
    schedule_cycle_mean_us: s.schedule_cycle_counter > 0 ? Math.floor(s.schedule_cycle_sum / s.schedule_cycle_counter) : null,
    rpc_by_type,
    rpc_by_user,
    backfill: toBackfill(s),
  };
}

/** sdiag's "Backfilling stats": the means only once a cycle ran, rounded down as sdiag divides. */
function toBackfill(s: RawStats): BackfillStats {
  const cycles = s.bf_cycle_counter;
  const mean = (sum: number) => (cycles > 0 ? Math.floor(sum / cycles) : null);
  return {
    active: s.bf_active,
    backfilled_jobs: s.bf_backfilled_jobs,
    backfilled_het_jobs: s.bf_backfilled_het_jobs,
    cycle_count: cycles,
    last_cycle_time: s.bf_when_last_cycle > 0 ? epochToIso(String(s.bf_when_last_cycle)) : null,
    last_cycle_us: s.bf_cycle_last,
    max_cycle_us: s.bf_cycle_max,
    mean_cycle_us: mean(s.bf_cycle_sum),
    last_depth: s.bf_last_depth,
    last_depth_try: s.bf_last_depth_try,
    mean_depth: mean(s.bf_depth_sum),
    last_queue_length: s.bf_queue_len,
    mean_queue_length: mean(s.bf_queue_len_sum),
  };
}
