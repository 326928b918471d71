/**
 * The gateway's input limits in one place, and the answer to HTTP the server cannot even parse.
 *
 * Bodies are capped by koa-body (`--body-limit`, 413); everything inside a body, the path and the
 * query by src/http/schemas.ts with the numbers below (400). Headers are capped by Node's parser
 * (`maxHeaderSize`, 16 KiB by default, request line included): Node would answer a bare 431 with
 * no body, and a bare 400 for malformed HTTP; {@link installHttpLimits} answers the same statuses
 * with the gateway's JSON error shape instead. {@link bodyError} gives every failure to read a
 * body its 4xx (koa-body's `onError`): a corrupt gzip/deflate/br body is the client's fault, not a 500.
 */
import { maxHeaderSize as defaultMaxHeaderSize, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { MAX_ARRAY_TASK_ID, MAX_JOB_ID } from '../slurm/job-ids.js';
import type { Logger } from 'pino';
import { GatewayError, type ErrorCode } from '../errors.js';
import { errorBody } from './errors.js';

export const LIMITS = {
  /** The batch script, in UTF-8 bytes (slurmctld's own default max_script_size is 4 MiB). */
  scriptBytes: 1024 * 1024,
  /** Variables in a job's `environment`. */
  envEntries: 1000,
  /** One `NAME=value` in UTF-8 bytes, terminator included: the kernel's MAX_ARG_STRLEN for execve. */
  envEntryBytes: 128 * 1024,
  /** The whole job environment in UTF-8 bytes (it must fit execve's argument space when the job starts). */
  envTotalBytes: 1024 * 1024,
  /** Environment variable names, in characters. */
  envNameChars: 256,
  /** Absolute paths (stdout, stderr, working_directory), in characters: PATH_MAX. */
  pathChars: 4096,
  /** Job names. */
  nameChars: 200,
  /** Job comments. */
  commentChars: 1024,
  /** `dependency` and `array` specifications. */
  specChars: 1024,
  /** One comma-list filter of GET /v1/jobs, and the items in it. */
  filterChars: 8192,
  filterItems: 1000,
  /**
   * Minutes: one year. Slurm's tools print a longer limit as "INVALID" (so it could not be read
   * back), and `scontrol update TimeLimit=` wraps around to 0 from 71,582,788 minutes on.
   */
  timeLimitMinutes: 365 * 24 * 60,
  /** Job ids: below NO_VAL (0xfffffffe) and INFINITE (src/slurm/job-ids.ts). */
  jobId: MAX_JOB_ID,
  /** Array task ids: Slurm's MaxArraySize may not exceed 4,000,001. */
  arrayTaskId: MAX_ARRAY_TASK_ID,
  /** cpus_per_task is 16 bits in Slurm: below NO_VAL16 (0xfffe) and INFINITE16. */
  cpusPerTask: 65_533,
  /** Most bytes of job output one GET returns. */
  outputRead: 8 * 1024 * 1024,
  /** The largest page of a list (`limit`, `--page-limit`; GET /v1/history's too). */
  pageItems: 1000,
} as const;

/** What the server answers for a request it could not parse, by Node's error code. */
const CLIENT_ERRORS: Record<string, { status: number; reason: string; code: ErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431, reason: 'Request Header Fields Too Large', code: 'headers_too_large',
    message: 'The request line and headers are too large',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413, reason: 'Payload Too Large', code: 'payload_too_large',
    message: 'The request body has too large chunk extensions',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408, reason: 'Request Timeout', code: 'request_timeout',
    message: 'The request was not received in time',
  },
};
const MALFORMED = { status: 400, reason: 'Bad Request', code: 'invalid_request' as const, message: 'The request is not valid HTTP/1.1' };

/** The raw HTTP response for a parse error `code` (exported for tests). */
export function clientErrorResponse(code: string | undefined, maxHeaderSize: number = defaultMaxHeaderSize, requestId: string = randomUUID()): string {
  const answer = (code && CLIENT_ERRORS[code]) || MALFORMED;
  const message = answer.code === 'headers_too_large' ? `${answer.message} (at most ${maxHeaderSize} bytes)` : answer.message;
  return rawResponse(answer.status, answer.reason, answer.code, message, [`X-Request-Id: ${requestId}`]);
}

/** A complete HTTP/1.1 response with the gateway's JSON error body, for a socket no listener owns. */
function rawResponse(status: number, reason: string, code: ErrorCode, message: string, headers: string[] = []): string {
  const body = JSON.stringify(errorBody(new GatewayError(code, message)));
  return [
    `HTTP/1.1 ${status} ${reason}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...headers,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** What a CONNECT request gets: the gateway is not a proxy (Node would close the socket unanswered). */
export function connectResponse(requestId: string = randomUUID()): string {
  return rawResponse(405, 'Method Not Allowed', 'method_not_allowed', 'CONNECT is not allowed: this is an API, not a proxy', ['Allow: GET, HEAD, POST, PATCH, DELETE', `X-Request-Id: ${requestId}`]);
}

/**
 * Answers requests Node's parser refuses (oversized headers, malformed HTTP, request timeout) and
 * CONNECT (which Node hands to 'connect' listeners only, closing the socket without one) with
 * a JSON error instead of Node's bare status line, then closes the connection. Nothing is answered
 * when the client already went away, or when a response has started on that connection. Call it
 * once the app's request listener is attached (after `app.listen`).
 */
export function installHttpLimits(server: Server, logger?: Logger): void {
  // Node answers an HTTP/1.1 request without Host with a bare 400 before any listener sees it;
  // answer it here instead, in JSON, and hand every other request to the listeners as before.
  const listeners = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  (server as Server & { requireHostHeader?: boolean }).requireHostHeader = false;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.httpVersion === '1.1' && req.headers.host === undefined) {
      const body = JSON.stringify(errorBody(new GatewayError('invalid_request', 'An HTTP/1.1 request needs a Host header')));
      const requestId = randomUUID();
      logger?.debug({ requestId, status: 400 }, 'request without Host');
      res.writeHead(400, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close', 'X-Request-Id': requestId });
      res.end(body);
      return;
    }
    for (const listener of listeners) listener.call(server, req, res);
  });

  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    const requestId = randomUUID();
    logger?.debug({ requestId, status: 405 }, 'CONNECT refused');
    socket.end(connectResponse(requestId), () => socket.destroy());
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const requestId = randomUUID();
    logger?.debug({ requestId, code: error.code, reason: error.message }, 'unparseable request');
    // Node's own rule: answer only when no response on this connection has started to be written.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const maxHeaderSize = (server as Server & { maxHeaderSize?: number }).maxHeaderSize || defaultMaxHeaderSize;
    // A HEAD request gets no body (the client would read it as the start of a next response).
    const head = (error as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
    const response = clientErrorResponse(error.code, maxHeaderSize, requestId);
    socket.end(head ? response.slice(0, response.indexOf('\r\n\r\n') + 4) : response, () => socket.destroy());
  });
}

/**
 * koa-body's `onError`: turns any failure to read or parse a body into the 4xx it deserves and
 * throws it (koa-body would otherwise go on without a body). raw-body and co-body errors carry
 * their status (413 too large, 415 unsupported charset or Content-Encoding, 400 malformed JSON,
 * length mismatch, aborted); zlib's (a corrupt compressed body) carry none.
 * @throws GatewayError always
 */
export function bodyError(error: Error): never {
  if (error instanceof GatewayError) throw error;
  const status = (error as { status?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  const type = (error as { type?: unknown }).type;
  if (status === 413) throw new GatewayError('payload_too_large', 'The request body is larger than --body-limit allows', { cause: error });
  if (status === 415) throw new GatewayError('unsupported_media_type', `The request body cannot be decoded: ${error.message}`, { cause: error });
  if (error instanceof SyntaxError) {
    const message = /prototype/i.test(error.message) ? 'The request body must not contain "__proto__" keys' : `The request body is not valid JSON: ${error.message.slice(0, 200)}`;
    throw new GatewayError('invalid_request', message, { cause: error });
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    throw new GatewayError('invalid_request', `The request body cannot be read: ${typeof type === 'string' ? type : error.message.slice(0, 200)}`, { cause: error });
  }
  // No status: a decompression error (zlib), or anything else the stream threw.
  throw new GatewayError('invalid_request', 'The request body cannot be read: it is not valid for its Content-Encoding', { cause: error });
}
