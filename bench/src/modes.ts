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
  | { kind: 'gateway'; executor: Executor; application: Application; auth?: Auth }
  /**
   * Not the gateway: the least a Koa server on the project's libslurm binding can do for the
   * submit workload (bench/src/floor.ts, `--serve-binding`): Koa, @koa/router and koa-body calling
   * the binding's `submit` and `kill` with no validation, log, metrics or dispatch. The floor under
   * the gateway's submit figures; submit only, and only when named in --modes.
   */
  | { kind: 'floor'; auth?: Auth };

/** The floor's label: `floor`, or `floor+jwt` (requests carry the token, and libslurm's calls use auth/jwt with it). */
export const FLOOR = 'floor';

/** The suffix of a gateway mode's label under `--auth=jwt`: `internal:thread+jwt`. */
export const JWT_SUFFIX = '+jwt';

/** `slurmrestd`, `internal:thread` or `internal:thread+jwt`: the label used in options, tables, JSON and the chart. */
export function label(mode: Mode): string {
  if (mode.kind === 'slurmrestd') return 'slurmrestd';
  if (mode.kind === 'floor') return `${FLOOR}${mode.auth === 'jwt' ? JWT_SUFFIX : ''}`;
  return `${mode.executor}:${mode.application}${mode.auth === 'jwt' ? JWT_SUFFIX : ''}`;
}

/** Whether a mode runs the gateway under `--auth=jwt`. */
export function isJwt(mode: Mode): boolean {
  return mode.kind !== 'slurmrestd' && mode.auth === 'jwt';
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
 * `--auth=jwt`, the way production runs the gateway; and the floor under them, so that the
 * gateway, slurmrestd and the least a Koa server on this binding can do come from one run.
 */
export const DEFAULT_JWT_MODES: Mode[] = [
  { kind: 'gateway', executor: 'internal', application: 'thread', auth: 'jwt' },
  { kind: 'gateway', executor: 'external', application: 'coroutine', auth: 'jwt' },
  { kind: 'floor', auth: 'jwt' },
];

/** `slurmrestd`, any `executor:application`, and any of those with `+jwt`. */
export function parseMode(text: string): Mode {
  const trimmed = text.trim();
  const jwt = trimmed.endsWith(JWT_SUFFIX);
  const base = jwt ? trimmed.slice(0, -JWT_SUFFIX.length) : trimmed;
  if (base === FLOOR) return jwt ? { kind: 'floor', auth: 'jwt' } : { kind: 'floor' };
  const mode = ALL_MODES.find((m) => label(m) === base);
  if (!mode || (jwt && mode.kind !== 'gateway')) {
    throw new Error(`Expected a mode among ${ALL_MODES.map(label).join(', ')}, ${FLOOR}, or a gateway mode or ${FLOOR} with ${JWT_SUFFIX} (internal:thread${JWT_SUFFIX}), got "${text}"`);
  }
  return jwt && mode.kind === 'gateway' ? { ...mode, auth: 'jwt' } : mode;
}

export const WORKLOAD_TITLES: Record<Workload, string> = {
  list: 'List all jobs (GET /v1/jobs vs GET /slurm/v0.0.38/jobs)',
  get: 'One job by id (GET /v1/jobs/{id} vs GET /slurm/v0.0.38/job/{id})',
  submit: 'Submit a held job, then cancel it (POST + DELETE, both counted as requests)',
};
