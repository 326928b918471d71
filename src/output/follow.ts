/**
 * Following a job's output (GET /v1/jobs/{id}/stdout?follow=true, #15): the file that
 * read.ts would serve, opened with the same checks (owner, no link, regular file, the job user's,
 * readable by the caller), then read again whenever it grows, as Server-Sent Events: `output`
 * ({ offset, content }, its id the offset after it, so Last-Event-ID resumes) and, once the job
 * has ended and the file is read to its end, `eof` ({ offset }). A file that shrinks was truncated
 * (a requeued job starts it again, or the job rewrote it): `truncated` ({ size }), then the file
 * again from its beginning. The file is the buffer: nothing is
 * read while the client has not taken what was sent, and a client that takes nothing for
 * `stallMs` is dropped.
 */
import type { FileHandle } from 'node:fs/promises';
import { GatewayError } from '../errors.js';
import type { Job } from '../model.js';
import { openJobOutput, type OutputStream, type Reader } from './read.js';

/** Bytes per `output` event. */
const CHUNK = 16 * 1024;

export interface FollowSink {
  /** false: wait for {@link drained} before writing more. */
  write(frame: string): boolean;
  drained(): Promise<boolean>;
  readonly closed: boolean;
}

export interface FollowOptions {
  /** Milliseconds between two looks at the file's size. */
  intervalMs: number;
  /** Milliseconds a client may take nothing before it is dropped. */
  stallMs: number;
  /** Whether the job has ended (read before each look, so the last look reads everything). */
  ended(): boolean;
  /** Resolves early when the job ends (or the wait is otherwise cut short). */
  wait(ms: number): Promise<void>;
  /** Called when the client was dropped for not reading. */
  onStall?(): void;
}

/** The output file, opened for its owner; null when it does not exist yet, or is still an earlier job's (the job has not started, or not opened it yet). */
export async function openForFollow(job: Job, stream: OutputStream, reader: Reader): Promise<FileHandle | null> {
  try {
    return (await openJobOutput(job, stream, reader)).handle;
  } catch (error) {
    if (error instanceof GatewayError && error.code === 'output_not_found' && (stream === 'stdout' ? job.stdout_path : job.stderr_path)) return null;
    throw error;
  }
}

/** Bytes of `buf` up to the last whole UTF-8 character (a character cut at the end waits for its rest). */
export function wholeCharacters(buf: Buffer): number {
  let i = buf.length - 1;
  let back = 0;
  while (i >= 0 && back < 3 && (buf[i]! & 0xc0) === 0x80) { i -= 1; back += 1; }
  if (i < 0) return buf.length;
  const lead = buf[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return buf.length - i >= need ? buf.length : i;
}

const frame = (event: string, data: object, id?: number) => `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Streams the file from `offset` until the job has ended and everything is read, or the client
 * goes. Never throws: a failure after the answer began is an `error` event, then the end.
 * @returns why it stopped
 */
export async function followOutput(job: Job, stream: OutputStream, reader: Reader, first: FileHandle | null, offset: number, sink: FollowSink, options: FollowOptions): Promise<'eof' | 'closed' | 'stalled' | 'error'> {
  let handle = first;
  let at = offset;
  /** The largest size seen: a file smaller than that was truncated (the job started again, or rewrote it). */
  let largest = 0;
  const buffer = Buffer.alloc(CHUNK);
  const send = async (text: string): Promise<boolean> => {
    if (sink.write(text)) return true;
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([sink.drained(), new Promise<'stall'>((resolve) => { timer = setTimeout(() => resolve('stall'), options.stallMs); })]);
    clearTimeout(timer);
    if (ok === 'stall') { options.onStall?.(); return false; }
    return ok;
  };
  try {
    for (;;) {
      if (sink.closed) return 'closed';
      const over = options.ended();
      handle ??= await openForFollow(job, stream, reader);
      if (handle) {
        const size = (await handle.stat()).size;
        if (size < largest) {
          // tail -F's 'file truncated': what was sent is gone from the file; start again at its beginning.
          if (!(await send(frame('truncated', { size }, 0)))) return sink.closed ? 'closed' : 'stalled';
          at = 0;
        }
        largest = size;
        while (at < size) {
          const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, size - at), at);
          if (bytesRead === 0) break;
          // Whole characters only, unless this is the very end of an ended job's file.
          const take = over && at + bytesRead >= size ? bytesRead : wholeCharacters(buffer.subarray(0, bytesRead));
          if (take === 0) break;
          const content = buffer.toString('utf8', 0, take);
          const sent = await send(frame('output', { offset: at, content }, at + take));
          at += take;
          if (!sent) return sink.closed ? 'closed' : 'stalled';
        }
      }
      if (over) {
        await send(frame('eof', { offset: at }, at));
        return 'eof';
      }
      await options.wait(options.intervalMs);
    }
  } catch (error) {
    const e = error instanceof GatewayError ? error : new GatewayError('internal_error', 'Reading the output failed');
    await send(frame('error', { code: e.code, message: e.expose ? e.message : 'Reading the output failed' }));
    return 'error';
  } finally {
    await handle?.close();
  }
}
