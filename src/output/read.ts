/**
 * Reading a job's stdout/stderr file for its owner. The path comes from Slurm's own record of the
 * job (read with the caller's identity), never from the request, and the file is opened so that
 * a job cannot make the gateway read something else: no symbolic link as the last component, a
 * regular file only, owned by the job's user (slurmd creates it as that user).
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { GatewayError } from '../errors.js';
import { lookupAccount } from '../auth/accounts.js';
import type { Job } from '../model.js';

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

export async function readJobOutput(job: Job, stream: OutputStream, range: OutputRange, reader: Reader): Promise<JobOutput> {
  const gateway = gatewayReader();
  const privileged = reader.user === gateway.user && gateway.uid === 0;
  if (reader.user !== job.user && !privileged) {
    throw new GatewayError('forbidden', `Job ${job.job_id} belongs to ${job.user}; only its owner may read its output`);
  }
  const path = stream === 'stdout' ? job.stdout_path : job.stderr_path;
  if (!path) throw new GatewayError('output_not_found', `Job ${job.job_id} has no ${stream} file (not a batch job, or no working directory)`);
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
    const stat = await handle.stat();
    if (!stat.isFile()) throw new GatewayError('forbidden', `Job ${job.job_id}'s ${stream} path ${path} is not a regular file`);
    if (stat.uid !== owner.uid) throw new GatewayError('forbidden', `${path} is not owned by ${job.user}, so it is not the output Slurm wrote for job ${job.job_id}`);
    const size = stat.size;
    const want = Math.max(0, Math.min(range.limit, size - range.offset));
    const buffer = Buffer.alloc(want);
    const { bytesRead } = want ? await handle.read(buffer, 0, want, range.offset) : { bytesRead: 0 };
    return {
      job_id: job.job_id,
      stream,
      path,
      size,
      offset: range.offset,
      length: bytesRead,
      eof: range.offset + bytesRead >= size,
      content: buffer.subarray(0, bytesRead).toString('utf8'),
    };
  } finally {
    await handle.close();
  }
}
