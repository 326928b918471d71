import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { ERROR_TABLE, GatewayError, toGatewayError, type ErrorCode } from '../errors.js';
import { OutageLog } from './outage-log.js';

/** HTTP errors raised by koa, the router and the body parser, by status. */
const HTTP_STATUS_CODES: Record<number, [ErrorCode, string]> = {
  400: ['invalid_request', 'The request body is not valid JSON'],
  404: ['not_found', 'No such route'],
  405: ['method_not_allowed', 'Method not allowed on this route'],
  413: ['payload_too_large', 'The request body is too large'],
  415: ['unsupported_media_type', 'The request body must be JSON (Content-Type: application/json)'],
  501: ['method_not_allowed', 'Method not implemented'],
};

/** Seconds a 503 without its own `retryAfter` asks clients to wait (a controller failover takes a few). */
const UNAVAILABLE_RETRY_AFTER = 5;

/** The error JSON the gateway always answers, `{ "error": { code, message, details? } }`, in one place. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/**
 * Renders an error for a client: an internal error's message and details stay in the log. Used by
 * the boundary below, by the answers Node's parser needs (limits.ts) and by a stop past its grace
 * (in-flight.ts), so that every error the gateway writes has the same shape.
 */
export function errorBody(error: GatewayError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.expose ? error.message : ERROR_TABLE.internal_error.message,
      ...(error.expose && error.details && { details: error.details }),
    },
  };
}

/**
 * The error boundary of the Koa app: renders {@link errorBody} for everything thrown below it.
 * Internal details and stderr go to the log, never to the client, at a level that fits: a
 * caller's mistake (4xx) at debug, a scheduler outage once per transition (`outages`), another
 * scheduler failure (502, 503, 504) at warn without a stack, a bug (500) at error with its stack.
 */
export function errorBoundary(logger: Logger, outages: OutageLog = new OutageLog()) {
  return async function renderErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      outages.answered(ctx.state.calls ?? [], ctx.state.logger ?? logger);
      if (ctx.body === undefined && ctx.status === 404) throw new GatewayError('not_found', `No route for ${ctx.method} ${ctx.path}`);
      if (ctx.body === undefined && ctx.status === 405) throw new GatewayError('method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}; allowed: ${ctx.response.get('Allow')}`);
      if (ctx.body === undefined && ctx.status === 501) throw new GatewayError('method_not_allowed', `${ctx.method} is not implemented`);
    } catch (thrown) {
      const error = fromHttp(thrown);
      const log = ctx.state.logger ?? logger;
      outages.answered(ctx.state.calls ?? [], log);
      logFailure(error, log, outages);
      ctx.status = error.status;
      // Every 503 says when to retry (#13); codes that know better carry their own.
      const retryAfter = error.retryAfter ?? (error.status === 503 ? UNAVAILABLE_RETRY_AFTER : undefined);
      if (retryAfter !== undefined) ctx.set('Retry-After', String(retryAfter));
      ctx.body = errorBody(error);
    }
  };
}

function logFailure(error: GatewayError, log: Logger, outages: OutageLog): void {
  if (error.status < 500) log.debug({ code: error.code, status: error.status }, error.message);
  else if (error.code === 'internal_error') log.error({ err: error, cause: error.cause, code: error.code }, error.message);
  else if (!outages.failed(error, log)) log.warn({ code: error.code, status: error.status, cause: causeText(error.cause) }, error.message);
}

/** What caused a scheduler failure, in a line: a tool's stderr, or an error's message (never its stack). */
function causeText(cause: unknown): string | undefined {
  const c = cause as { stderr?: unknown; message?: unknown; slurmError?: unknown } | undefined;
  const text = typeof c?.stderr === 'string' && c.stderr.trim() ? c.stderr : typeof c?.slurmError === 'string' ? c.slurmError : typeof c?.message === 'string' ? c.message : undefined;
  return text === undefined ? undefined : text.trim().slice(0, 2000);
}

function fromHttp(thrown: unknown): GatewayError {
  if (thrown instanceof GatewayError) return thrown;
  const status = (thrown as { status?: unknown })?.status;
  if (typeof status === 'number' && HTTP_STATUS_CODES[status]) {
    const [code, message] = HTTP_STATUS_CODES[status];
    return new GatewayError(code, message, { cause: thrown });
  }
  return toGatewayError(thrown);
}
