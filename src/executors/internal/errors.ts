/**
 * What a libslurm failure means: slurm_get_errno() -> GatewayError code, in one table. Errnos are
 * named here (their values come from the headers the binding was compiled against), and the
 * codes are the ones the external executor derives from the same Slurm messages (stderr.ts).
 */
import { constants as os } from 'node:os';
import { GatewayError, type ErrorCode } from '../../errors.js';
import type { Binding, SlurmCallError } from './binding.js';
import { unavailableMessage } from '../../slurm/unavailable.js';

/** Slurm errno name -> code. Anything not listed is `scheduler_rejected`. */
export const ERRNO_CODES: Readonly<Record<string, ErrorCode>> = {
  ESLURM_INVALID_JOB_ID: 'job_not_found',
  ESLURM_INVALID_NODE_NAME: 'node_not_found',

  ESLURM_ACCESS_DENIED: 'forbidden',
  ESLURM_USER_ID_MISSING: 'forbidden',
  ESLURM_BURST_BUFFER_PERMISSION: 'forbidden',
  ESLURM_AUTH_CRED_INVALID: 'forbidden',
  ESLURM_AUTH_INVALID: 'forbidden',

  SLURM_COMMUNICATIONS_CONNECTION_ERROR: 'scheduler_unavailable',
  SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR: 'scheduler_unavailable',
  SLURMCTLD_COMMUNICATIONS_SEND_ERROR: 'scheduler_unavailable',
  SLURMCTLD_COMMUNICATIONS_RECEIVE_ERROR: 'scheduler_unavailable',
  SLURMCTLD_COMMUNICATIONS_SHUTDOWN_ERROR: 'scheduler_unavailable',
  SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT: 'scheduler_unavailable',
  SLURM_PROTOCOL_SOCKET_ZERO_BYTES_SENT: 'scheduler_unavailable',
  ESLURM_IN_STANDBY_MODE: 'scheduler_unavailable',
  // Not recognised by stderr.ts's message patterns (reported in docs/internal-executor.md).
  ESLURM_IN_STANDBY_USE_BACKUP: 'scheduler_unavailable',
  SLURM_COMMUNICATIONS_SEND_ERROR: 'scheduler_unavailable',
  SLURM_COMMUNICATIONS_RECEIVE_ERROR: 'scheduler_unavailable',
  SLURM_PROTOCOL_SOCKET_IMPL_ZERO_RECV_LENGTH: 'scheduler_unavailable',
  ESLURM_AUTH_NET_ERROR: 'scheduler_unavailable',
  // The client could not make a credential (munged down or stopped): nothing reached slurmctld,
  // whose refusals of a credential close the connection instead. Retry, as for an outage.
  SLURM_PROTOCOL_AUTHENTICATION_ERROR: 'scheduler_unavailable',
  SLURM_COMMUNICATIONS_MISSING_SOCKET_ERROR: 'scheduler_unavailable',

  ESLURM_ALREADY_DONE: 'invalid_job_state',
  ESLURM_JOB_PENDING: 'invalid_job_state',
  ESLURM_DISABLED: 'invalid_job_state',
  ESLURM_JOB_NOT_PENDING: 'invalid_job_state',
  ESLURM_JOB_FINISHED: 'invalid_job_state',
  ESLURM_JOB_NOT_RUNNING: 'invalid_job_state',
  ESLURM_JOB_NOT_SUSPENDED: 'invalid_job_state',
  // Not recognised by stderr.ts's message patterns (reported in docs/internal-executor.md).
  ESLURM_JOB_SUSPENDED: 'invalid_job_state',
  ESLURM_JOB_NOT_PENDING_NOR_RUNNING: 'invalid_job_state',
  ESLURM_TRANSITION_STATE_NO_UPDATE: 'invalid_job_state',
};

/** System errnos libslurm passes through (connect(2), open(2)). */
const SYSTEM_CODES: ReadonlyMap<number, ErrorCode> = new Map([
  [os.errno.ECONNREFUSED, 'scheduler_unavailable'],
  [os.errno.ETIMEDOUT, 'scheduler_unavailable'],
  // The connection to slurmctld broke (it was killed or restarted mid-exchange).
  [os.errno.ECONNRESET, 'scheduler_unavailable'],
  [os.errno.ENOTCONN, 'scheduler_unavailable'],
  [os.errno.EPIPE, 'scheduler_unavailable'],
  [os.errno.ECONNABORTED, 'scheduler_unavailable'],
  [os.errno.EHOSTUNREACH, 'scheduler_unavailable'],
  [os.errno.ENETUNREACH, 'scheduler_unavailable'],
  // slurmctld's job table is full (MaxJobCount) or it is too busy: retry later.
  [os.errno.EAGAIN, 'scheduler_unavailable'],
  [os.errno.EACCES, 'forbidden'],
]);

export class ErrorTable {
  readonly #byValue = new Map<number, ErrorCode>();
  readonly #names = new Map<number, string>();

  constructor(binding: Binding) {
    for (const [name, value] of Object.entries(binding.constants.errno)) {
      this.#names.set(value, name);
      const code = ERRNO_CODES[name];
      if (code) this.#byValue.set(value, code);
    }
  }

  codeOf(errno: number): ErrorCode {
    return this.#byValue.get(errno) ?? SYSTEM_CODES.get(errno) ?? 'scheduler_rejected';
  }

  nameOf(errno: number): string | undefined {
    return this.#names.get(errno);
  }

  /** A GatewayError shaped like the external executor's classify(): Slurm's sentence in the message. */
  toGatewayError(error: SlurmCallError, what: string): GatewayError {
    return this.fromErrno(error.slurmErrno, error.slurmError, what, { api: error.api, errno: error.slurmErrno });
  }

  fromErrno(errno: number, sentence: string, what: string, cause?: unknown): GatewayError {
    const code = this.codeOf(errno);
    const message = code === 'scheduler_unavailable' ? unavailableMessage(sentence) : `${what}: ${sentence}`;
    return new GatewayError(code, message, {
      details: { slurm_error: sentence },
      cause: cause ?? { errno, name: this.nameOf(errno) },
      ...(code === 'scheduler_unavailable' && { retryAfter: 5 }),
    });
  }
}
