/** The systems under test: slurmrestd, and the gateway in each executor x application mode. */

export const EXECUTORS = ['internal', 'external'] as const;
export const APPLICATIONS = ['inline', 'coroutine', 'thread', 'process'] as const;
export const WORKLOADS = ['list', 'get', 'submit'] as const;

export type Executor = (typeof EXECUTORS)[number];
export type Application = (typeof APPLICATIONS)[number];
export type Workload = (typeof WORKLOADS)[number];

/**
 * How a gateway mode authenticates: `none` (the default: runs as root, every request acts as root,
 * libslurm's calls use auth/munge) or `jwt` (runs as the service user with `--auth=jwt`, every
 * request carries a user's token, and libslurm's calls use auth/jwt with it, as slurmrestd's do).
 */
export type Auth = 'none' | 'jwt';

export type Mode =
  | { kind: 'slurmrestd' }
  | { kind: 'gateway'; executor: Executor; application: Application; auth?: Auth };

/** The suffix of a gateway mode's label under `--auth=jwt`: `internal:thread+jwt`. */
export const JWT_SUFFIX = '+jwt';

/** `slurmrestd`, `internal:thread` or `internal:thread+jwt`: the label used in options, tables, JSON and the chart. */
export function label(mode: Mode): string {
  if (mode.kind === 'slurmrestd') return 'slurmrestd';
  return `${mode.executor}:${mode.application}${mode.auth === 'jwt' ? JWT_SUFFIX : ''}`;
}

/** Whether a mode runs the gateway under `--auth=jwt`. */
export function isJwt(mode: Mode): boolean {
  return mode.kind === 'gateway' && mode.auth === 'jwt';
}

/** A label's file-name stem for logs and profiles: `internal-thread`, `internal-thread-jwt`. */
export function fileStem(modeLabel: string): string {
  return modeLabel.replace(':', '-').replace(JWT_SUFFIX, '-jwt');
}

/** slurmrestd first (the reference), then the gateway modes, executor-major. */
export const ALL_MODES: Mode[] = [
  { kind: 'slurmrestd' },
  ...EXECUTORS.flatMap((executor) => APPLICATIONS.map((application): Mode => ({ kind: 'gateway', executor, application }))),
];

/**
 * Added to the submit workload by a run without --modes: #14's submit+cancel targets are under
 * `--auth=jwt`, the way production runs the gateway.
 */
export const DEFAULT_JWT_MODES: Mode[] = [
  { kind: 'gateway', executor: 'internal', application: 'thread', auth: 'jwt' },
  { kind: 'gateway', executor: 'external', application: 'coroutine', auth: 'jwt' },
];

/** `slurmrestd`, any `executor:application`, and any of those with `+jwt`. */
export function parseMode(text: string): Mode {
  const trimmed = text.trim();
  const jwt = trimmed.endsWith(JWT_SUFFIX);
  const base = jwt ? trimmed.slice(0, -JWT_SUFFIX.length) : trimmed;
  const mode = ALL_MODES.find((m) => label(m) === base);
  if (!mode || (jwt && mode.kind !== 'gateway')) {
    throw new Error(`Expected a mode among ${ALL_MODES.map(label).join(', ')}, or a gateway mode with ${JWT_SUFFIX} (internal:thread${JWT_SUFFIX}), got "${text}"`);
  }
  return jwt && mode.kind === 'gateway' ? { ...mode, auth: 'jwt' } : mode;
}

export const WORKLOAD_TITLES: Record<Workload, string> = {
  list: 'List all jobs (GET /v1/jobs vs GET /slurm/v0.0.38/jobs)',
  get: 'One job by id (GET /v1/jobs/{id} vs GET /slurm/v0.0.38/job/{id})',
  submit: 'Submit a held job, then cancel it (POST + DELETE, both counted as requests)',
};
