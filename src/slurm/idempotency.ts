/**
 * Idempotent submission, the part both executors share: how a submission's key travels with its
 * job in Slurm, and how a job is recognised by it. The key lives in the job's comment (the one
 * field an ordinary user can set and read back through squeue and slurm_load_jobs), as a reserved
 * token before the caller's own comment. Only hashes go into Slurm, never the raw key. Pure.
 */
import { GatewayError } from '../errors.js';

/** What a job's comment starts with when the gateway submitted it with an Idempotency-Key. */
export const KEY_PREFIX = 'sr-idem:';
const VERSION = 'v1';
const HEX = /^[0-9a-f]{32}$/;
/** slurmctld refuses a longer comment ("Pathname of a file, directory or other parameter too long"). */
export const SLURM_COMMENT_BYTES = 1024;

/** A submission's key, as hashes: of (caller, key), and of the normalised body. */
export interface IdempotencyTag {
  key: string;
  body: string;
}

/** `sr-idem:v1:<key hash>:<body hash>`, then the caller's comment after one space. */
export function taggedComment(tag: IdempotencyTag, comment: string | undefined): string {
  if (!HEX.test(tag.key) || !HEX.test(tag.body)) throw new TypeError('Expected 32 hex digits for the key and body hashes');
  const token = `${KEY_PREFIX}${VERSION}:${tag.key}:${tag.body}`;
  return comment === undefined || comment === '' ? token : `${token} ${comment}`;
}

/** The tag a comment carries, if it starts with the gateway's token. */
export function tagOf(comment: string | null | undefined): IdempotencyTag | undefined {
  if (!comment?.startsWith(KEY_PREFIX)) return undefined;
  const m = /^sr-idem:v1:([0-9a-f]{32}):([0-9a-f]{32})(?: |$)/.exec(comment);
  return m ? { key: m[1]!, body: m[2]! } : undefined;
}

/** The caller's part of a comment that may carry the gateway's token. */
export function callerComment(comment: string | null): string | null {
  if (comment === null || tagOf(comment) === undefined) return comment;
  const rest = comment.replace(/^\S+ ?/, '');
  return rest === '' ? null : rest;
}

/** A job as the key lookup needs it: the id the submission answered, and its comment. */
export interface KeyedJob {
  /** The submitted id: an array's tasks all carry the array's id here. */
  submitted_id: number;
  comment: string | null;
}

/**
 * The earlier submission with this key, among the caller's own jobs, or undefined.
 * @throws GatewayError idempotency_conflict when the key was used with another body.
 */
export function replayOf(jobs: KeyedJob[], tag: IdempotencyTag): { job_id: number; replayed: true } | undefined {
  let first: { id: number; body: string } | undefined;
  for (const job of jobs) {
    const found = tagOf(job.comment);
    if (found?.key !== tag.key) continue;
    if (!first || job.submitted_id < first.id) first = { id: job.submitted_id, body: found.body };
  }
  if (!first) return undefined;
  if (first.body !== tag.body) {
    throw new GatewayError('idempotency_conflict', `This Idempotency-Key was already used for job ${first.id} with a different request body`, { details: { job_id: first.id } });
  }
  return { job_id: first.id, replayed: true };
}
