/**
 * The GatewayError family. Every error a client can see has a stable `code` and an HTTP status;
 * across thread and process boundaries errors travel as {@link SerializedError} and are rebuilt
 * from their code, never recognised by `instanceof` (a class does not survive structured clone).
 */

export const ERROR_TABLE = {
  invalid_request: { status: 400, message: 'The request is invalid' },
  unauthorized: { status: 401, message: 'Authentication is required' },
  forbidden: { status: 403, message: 'The scheduler does not allow this for the caller' },
  not_found: { status: 404, message: 'No such route' },
  job_not_found: { status: 404, message: 'No such job' },
  node_not_found: { status: 404, message: 'No such node' },
  partition_not_found: { status: 404, message: 'No such partition' },
  reservation_not_found: { status: 404, message: 'No such reservation' },
  user_not_found: { status: 404, message: 'Accounting knows no such user' },
  output_not_found: { status: 404, message: "The job's output file does not exist" },
  method_not_allowed: { status: 405, message: 'Method not allowed' },
  request_timeout: { status: 408, message: 'The request was not received in time' },
  invalid_job_state: { status: 409, message: "The job's state does not allow this action" },
  idempotency_conflict: { status: 409, message: 'This Idempotency-Key was used with a different request body' },
  payload_too_large: { status: 413, message: 'The request body is too large' },
  unsupported_media_type: { status: 415, message: 'The request body must be JSON' },
  headers_too_large: { status: 431, message: 'The request headers are too large' },
  scheduler_rejected: { status: 502, message: 'The scheduler refused the request' },
  scheduler_error: { status: 502, message: 'The scheduler gave an answer the gateway cannot read' },
  // Not retryable as is: Slurm may have created the job. A client finds out (GET /v1/jobs?name=…)
  // or retries with the same Idempotency-Key, which returns the job if it exists.
  submit_outcome_unknown: { status: 502, message: 'The submission may or may not have created a job' },
  scheduler_unavailable: { status: 503, message: 'The scheduler controller is unreachable' },
  accounting_unavailable: { status: 503, message: 'Accounting (slurmdbd) is unreachable; the live queue still answers' },
  accounting_not_configured: { status: 501, message: 'This cluster keeps no job accounting (AccountingStorageType is not slurmdbd)' },
  queue_full: { status: 503, message: 'Too many requests are waiting; retry later' },
  worker_crashed: { status: 503, message: 'The worker running this request died; retry' },
  shutting_down: { status: 503, message: 'The gateway is shutting down' },
  too_many_streams: { status: 503, message: 'Too many event streams are open; retry later' },
  too_many_user_streams: { status: 429, message: 'You have too many event streams open; close one and retry' },
  deadline_exceeded: { status: 504, message: 'The scheduler did not answer before the deadline' },
  client_closed_request: { status: 499, message: 'The client closed the request before it started' },
  internal_error: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export interface SerializedError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
  /** Seconds, for 503s that a client may retry. */
  retryAfter?: number;
}

export interface GatewayErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
  retryAfter?: number;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** 5xx internals are not shown to clients; everything else is. */
  readonly expose: boolean;
  readonly details?: Record<string, unknown>;
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string = ERROR_TABLE[code].message, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = ERROR_TABLE[code].status;
    this.expose = code !== 'internal_error';
    this.details = options.details;
    this.retryAfter = options.retryAfter;
  }

  toJSON(): SerializedError {
    return {
      code: this.code,
      message: this.message,
      ...(this.details && { details: this.details }),
      ...(this.retryAfter !== undefined && { retryAfter: this.retryAfter }),
    };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_TABLE, value);
}

/** Turns anything thrown into a plain object that survives postMessage and IPC. */
export function serializeError(error: unknown): SerializedError {
  const gateway = toGatewayError(error);
  return gateway.toJSON();
}

/** Rebuilds a GatewayError from its serialised form (or any object with a known code). */
export function deserializeError(value: unknown): GatewayError {
  if (value && typeof value === 'object' && isErrorCode((value as SerializedError).code)) {
    const { code, message, details, retryAfter } = value as SerializedError;
    return new GatewayError(code, message, { details, retryAfter });
  }
  return toGatewayError(value);
}

/** Wraps unknown failures as internal errors, keeping the original as `cause`. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error && typeof error === 'object' && isErrorCode((error as { code?: unknown }).code)) {
    return deserializeError(error);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GatewayError('internal_error', ERROR_TABLE.internal_error.message, {
    cause: error,
    details: { reason: message },
  });
}
