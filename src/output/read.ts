/**
 * Reading a job's stdout/stderr file for its owner. The path comes from Slurm's own record of the
 * job (read with the caller's identity), never from the request, and the file is opened so that
 * a job cannot make the gateway read something else: no symbolic link as the last component, a
 * regular file only, owned by the job's user (slurmd creates it as that user), and readable by
 * the caller with the caller's own uid and groups (the gateway's user may read more than the
 * caller: it must never serve that). The answer is streamed in small chunks, so the memory of a
 * read does not grow with the bytes asked for.
 */
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { GatewayError } from '../errors.js';
import { lookupAccount, lookupGroups, type Account } from '../auth/accounts.js';
import { WAITING_STATES, type Job } from '../model.js';

export const OUTPUT_STREAMS = ['stdout', 'stderr'] as const;
export type OutputStream = (typeof OUTPUT_STREAMS)[number];

export interface OutputRange {
  /** First byte to read. */
  offset: number;
  /** Most bytes to read. */
  limit: number;
}

export interface JobOutput {
  job_id: number;
  stream: OutputStream;
  path: string;
  /** The file's size when it was read, in bytes. */
  size: number;
  offset: number;
  /** Bytes read (content is their UTF-8 decoding; a character cut at the edge reads as U+FFFD). */
  length: number;
  /** Whether the read reached the end of the file as it was then. */
  eof: boolean;
  content: string;
}

/** Bytes read from the file per chunk of the answer: small enough that a chunk and its JSON escape (up to 6x) stay in V8's young generation, which is swept cheaply, not its large-object space. */
const CHUNK = 16 * 1024;

/** Who is asking: the token's user, or (under --auth=none) the user the gateway runs as. */
export interface Reader {
  user: string;
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

let self: (Reader & { uid: number }) | undefined;

/** The user the gateway runs as: looked up once, it does not change while the process runs. */
export function gatewayReader(): Reader & { uid: number } {
  if (!self) {
    const me = userInfo();
    self = { user: me.username, uid: me.uid };
  }
  return self;
}

/**
 * Opens a job's output file for `reader` and answers the JSON {@link JobOutput} as a stream, the
 * fields known before the read first, then `content` chunk by chunk, then `length` and `eof`.
 * @throws GatewayError 403 / 404 before anything is streamed.
 */
export async function readJobOutput(job: Job, stream: OutputStream, range: OutputRange, reader: Reader): Promise<Readable> {
  const { path, handle, stat: fileStat } = await openJobOutput(job, stream, reader);
  const want = Math.max(0, Math.min(range.limit, fileStat.size - range.offset));
  const head = { job_id: job.job_id, stream, path, size: fileStat.size, offset: range.offset };
  return Readable.from(jsonChunks(handle, head, range.offset, want, fileStat.size), { objectMode: false });
}

async function* jsonChunks(handle: FileHandle, head: Omit<JobOutput, 'content' | 'length' | 'eof'>, offset: number, want: number, size: number): AsyncGenerator<string> {
  const escape = (text: string) => JSON.stringify(text).slice(1, -1);
  try {
    yield `${JSON.stringify(head).slice(0, -1)},"content":"`;
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.alloc(Math.min(CHUNK, Math.max(want, 1)));
    let read = 0;
    while (read < want) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, want - read), offset + read);
      if (bytesRead === 0) break; // the file shrank while it was read
      read += bytesRead;
      yield escape(decoder.write(buffer.subarray(0, bytesRead)));
    }
    yield `${escape(decoder.end())}","length":${read},"eof":${offset + read >= size}}`;
  } finally {
    await handle.close();
  }
}

/**
 * Opens a job's output file for `reader`, with every check above (also used by follow.ts).
 * @throws GatewayError forbidden (not the owner, a link, not a regular file, not the job user's,
 *   not readable by the caller), output_not_found (no path, or no file yet)
 */
export async function openJobOutput(job: Job, stream: OutputStream, reader: Reader): Promise<{ path: string; handle: FileHandle; stat: Stats }> {
  const gateway = gatewayReader();
  const privileged = reader.user === gateway.user && gateway.uid === 0;
  if (reader.user !== job.user && !privileged) {
    throw new GatewayError('forbidden', `Job ${job.job_id} belongs to ${job.user}; only its owner may read its output`);
  }
  const path = stream === 'stdout' ? job.stdout_path : job.stderr_path;
  if (!path) {
    throw new GatewayError('output_not_found', job.source === 'accounting'
      ? `Job ${job.job_id} has ended and slurmctld no longer holds it; Slurm's accounting does not record output paths, and the gateway knows them only for jobs it read from slurmctld while they were held (since it started)`
      : `Job ${job.job_id} has no ${stream} file (not a batch job, no working directory, or an array record that stands for several tasks)`);
  }
  const owner = await lookupAccount(job.user);
  if (!owner) throw new GatewayError('forbidden', `Job ${job.job_id}'s user ${job.user} has no account on the gateway's host`);

  let handle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new GatewayError('output_not_found', `Job ${job.job_id}'s ${stream} file ${path} does not exist (yet)`);
    if (code === 'ELOOP') throw new GatewayError('forbidden', `Job ${job.job_id}'s ${stream} path ${path} is a symbolic link; the gateway reads only the file Slurm wrote`);
    if (code === 'EACCES' || code === 'EPERM') throw new GatewayError('forbidden', `The gateway's user cannot read ${path}; output is readable through the gateway only where its user may read it (docs/SECURITY.md)`);
    throw error;
  }
  try {
    const fileStat = await handle.stat();
    if (!fileStat.isFile()) throw new GatewayError('forbidden', `Job ${job.job_id}'s ${stream} path ${path} is not a regular file`);
    if (fileStat.uid !== owner.uid) throw new GatewayError('forbidden', `${path} is not owned by ${job.user}, so it is not the output Slurm wrote for job ${job.job_id}`);
    // A reader other than the gateway's own user is the job's owner (checked above).
    if (reader.user !== gateway.user) await assertCallerMayRead(path, fileStat, owner);
    const since = writtenSince(job);
    if (since !== null && fileStat.mtimeMs < since.ms - EARLIER_JOB_SLACK_MS) {
      throw new GatewayError('output_not_found', `Job ${job.job_id}'s ${stream} file ${path} was last written before the job ${since.what}, so it holds an earlier job's output, not this one's; it becomes this job's when the job opens it`);
    }
    return { path, handle, stat: fileStat };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * A file at the job's path that was last written more than this before the job started (or, while
 * it waits to start, was submitted) is an earlier job's: a reused `--output` name, or the same job id in an
 * earlier life of the cluster. slurmstepd opens the file (truncating it, by default) when the job
 * starts, so a started job's own file is never older than its start. The slack allows for the
 * clock of the host that wrote the file running behind slurmctld's (Slurm's times are whole
 * seconds).
 */
export const EARLIER_JOB_SLACK_MS = 2_000;

/** The time before which nothing in the file can be the job's own: its start, or its submission while it waits (a waiting job's start_time is only a forecast). */
export function writtenSince(job: Pick<Job, 'state' | 'submit_time' | 'start_time'>): { ms: number; what: 'started' | 'was submitted' } | null {
  const started = !WAITING_STATES.has(job.state) && job.start_time !== null ? Date.parse(job.start_time) : NaN;
  if (Number.isFinite(started)) return { ms: started, what: 'started' };
  const submitted = job.submit_time !== null ? Date.parse(job.submit_time) : NaN;
  return Number.isFinite(submitted) ? { ms: submitted, what: 'was submitted' } : null;
}

/** What the kernel would decide for `caller`: read on the file, search on every directory above it. */
async function assertCallerMayRead(path: string, fileStat: Stats, account: Account): Promise<void> {
  if (account.uid === 0) return;
  const user = account.name;
  const caller = { ...account, groups: await lookupGroups(user) };
  if (!permits(fileStat, caller, READ)) {
    throw new GatewayError('forbidden', `${user} may not read ${path} (mode ${(fileStat.mode & 0o777).toString(8).padStart(3, '0')}); the gateway serves only what its caller could read`);
  }
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (!permits(await stat(dir), caller, SEARCH)) {
      throw new GatewayError('forbidden', `${user} may not enter ${dir}, so may not read ${path}; the gateway serves only what its caller could read`);
    }
    if (dir === dirname(dir)) break;
  }
}

const READ = 0o4;
const SEARCH = 0o1;

/** POSIX permission bits for one class: owner, else group (primary or supplementary), else other. ACLs are not consulted. */
export function permits(st: Pick<Stats, 'uid' | 'gid' | 'mode'>, caller: Pick<Account, 'uid'> & { groups: number[] }, bit: number): boolean {
  if (st.uid === caller.uid) return ((st.mode >> 6) & bit) !== 0;
  if (caller.groups.includes(st.gid)) return ((st.mode >> 3) & bit) !== 0;
  return (st.mode & bit) !== 0;
}
