/** The systems under test: slurmrestd, and the gateway in each executor x application mode. */

export const EXECUTORS = ['internal', 'external'] as const;
export const APPLICATIONS = ['inline', 'coroutine', 'thread', 'process'] as const;
export const WORKLOADS = ['list', 'get', 'submit'] as const;

export type Executor = (typeof EXECUTORS)[number];
export type Application = (typeof APPLICATIONS)[number];
export type Workload = (typeof WORKLOADS)[number];

export type Mode =
  | { kind: 'slurmrestd' }
  | { kind: 'gateway'; executor: Executor; application: Application };

/** `slurmrestd` or `internal:thread`: the label used in options, tables, JSON and the chart. */
export function label(mode: Mode): string {
  return mode.kind === 'slurmrestd' ? 'slurmrestd' : `${mode.executor}:${mode.application}`;
}

/** slurmrestd first (the reference), then the gateway modes, executor-major. */
export const ALL_MODES: Mode[] = [
  { kind: 'slurmrestd' },
  ...EXECUTORS.flatMap((executor) => APPLICATIONS.map((application): Mode => ({ kind: 'gateway', executor, application }))),
];

export function parseMode(text: string): Mode {
  const mode = ALL_MODES.find((m) => label(m) === text.trim());
  if (!mode) throw new Error(`Expected a mode among ${ALL_MODES.map(label).join(', ')}, got "${text}"`);
  return mode;
}

export const WORKLOAD_TITLES: Record<Workload, string> = {
  list: 'List all jobs (GET /v1/jobs vs GET /slurm/v0.0.38/jobs)',
  get: 'One job by id (GET /v1/jobs/{id} vs GET /slurm/v0.0.38/job/{id})',
  submit: 'Submit a held job, then cancel it (POST + DELETE, both counted as requests)',
};
