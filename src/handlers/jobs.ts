import type { Context } from 'koa';
import type { CommandDispatcher } from '../dispatch/dispatcher.js';
import type { JobAction } from '../commands.js';
import { validate } from '../http/validate.js';
import { cancelQuery, emptyQuery, idempotencyKey, jobId, jobListQuery, outputQuery, submitBody, updateBody, utf8Bytes } from '../http/schemas.js';
import { SLURM_COMMENT_BYTES, taggedComment } from '../slurm/idempotency.js';
import { idempotencyTag, KeyedSerial } from './idempotency.js';
import { GatewayError } from '../errors.js';
import { gatewayReader, readJobOutput, type OutputStream } from '../output/read.js';
import { jsonBody } from '../http/json-body.js';
import { answerList } from '../http/pages.js';

/** Thin: validate -> build a command -> dispatch -> shape the HTTP answer. */
export function jobHandlers(dispatcher: CommandDispatcher, defaults: { workingDirectory: string; pageLimit: number | null }) {
  const idOf = (ctx: Context) => validate(jobId, ctx.params.id, 'job id');
  const serial = new KeyedSerial();

  return {
    async list(ctx: Context) {
      const { limit, cursor, ...filter } = validate(jobListQuery, ctx.query, 'query');
      const jobs = await dispatcher.dispatch({ kind: 'jobs.list', filter }, ctx.state.request);
      // Pages by job id: a job submitted during a walk has a larger id than every job before it.
      answerList(ctx, 'jobs', jobs, (job) => job.job_id, { limit, cursor }, filter, defaults.pageLimit, () => jsonBody(ctx, jobs, (all) => ({ jobs: all })));
    },

    async get(ctx: Context) {
      const id = idOf(ctx);
      validate(emptyQuery, ctx.query, 'query');
      // Serialised once per answer object: a shared read hands many requests the same job
      // (src/dispatch/shared-reads.ts).
      jsonBody(ctx, await dispatcher.dispatch({ kind: 'jobs.get', jobId: id }, ctx.state.request), (job) => job);
    },

    /**
     * 201 with the new job; with an Idempotency-Key that an earlier submission of the same body
     * used, 200 with that job and `Idempotent-Replayed: true` (same key, other body: 409).
     */
    async submit(ctx: Context) {
      if (!ctx.is('application/json')) throw new GatewayError('unsupported_media_type', 'The request body must be JSON (Content-Type: application/json)');
      const header = ctx.headers['idempotency-key'];
      const key = header === undefined ? undefined : validate(idempotencyKey, header, 'Idempotency-Key header');
      const { validate: testOnly, ...submission } = validate(submitBody, ctx.request.body, 'body');
      const identity = ctx.state.request.identity;
      if (testOnly) {
        // Nothing is created, so there is nothing to make idempotent: the key plays no part.
        if (!identity) submission.working_directory ??= defaults.workingDirectory;
        ctx.body = await dispatcher.dispatch({ kind: 'jobs.validate', submission }, ctx.state.request);
        return;
      }
      // Hashed as the caller sent it, before the defaults below (another replica may differ).
      const tag = key === undefined ? undefined : idempotencyTag(identity?.user ?? gatewayReader().user, key, submission);
      if (tag && utf8Bytes(taggedComment(tag, submission.comment)) > SLURM_COMMENT_BYTES) {
        throw new GatewayError('invalid_request', `Invalid body: comment: with an Idempotency-Key, must be at most ${SLURM_COMMENT_BYTES - utf8Bytes(taggedComment(tag, '')) - 1} bytes (UTF-8)`, {
          details: { issues: [{ field: 'comment', message: 'too long to carry the Idempotency-Key' }] },
        });
      }
      // Decided here, not by the tool or library, so that both executors put the job in the same
      // place. A caller with an identity gets their own home, which only the executor can look up.
      if (!identity) submission.working_directory ??= defaults.workingDirectory;
      const submit = () => dispatcher.dispatch({ kind: 'jobs.submit', submission, ...(tag && { idempotency: tag }) }, ctx.state.request);
      // One submission per key at a time here, so concurrent retries cannot both create a job.
      const result = tag ? await serial.run(tag.key, submit) : await submit();
      ctx.status = result.replayed ? 200 : 201;
      if (result.replayed) ctx.set('Idempotent-Replayed', 'true');
      ctx.set('Location', `/v1/jobs/${result.job_id}`);
      ctx.body = { job_id: result.job_id };
    },

    async cancel(ctx: Context) {
      const id = idOf(ctx);
      const { signal } = validate(cancelQuery, ctx.query, 'query');
      await dispatcher.dispatch({ kind: 'jobs.cancel', jobId: id, ...(signal && { signal }) }, ctx.state.request);
      ctx.status = 202;
      ctx.body = { id, action: signal ? `signal ${signal}` : 'cancel' };
    },

    control(action: JobAction) {
      return async function controlJob(ctx: Context) {
        const id = idOf(ctx);
        validate(emptyQuery, ctx.query, 'query');
        await dispatcher.dispatch({ kind: 'jobs.control', jobId: id, action }, ctx.state.request);
        ctx.status = 202;
        ctx.body = { id, action };
      };
    },

    /** The job is read from Slurm as the caller (so Slurm decides whether they may see it), then its file. */
    output(stream: OutputStream) {
      return async function jobOutput(ctx: Context) {
        const id = idOf(ctx);
        const range = validate(outputQuery, ctx.query, 'query');
        const job = await dispatcher.dispatch({ kind: 'jobs.get', jobId: id }, ctx.state.request);
        const body = await readJobOutput(job, stream, range, { user: ctx.state.request.identity?.user ?? gatewayReader().user });
        ctx.type = 'application/json; charset=utf-8';
        ctx.body = body; // streamed: memory stays a chunk per read, whatever `limit` asks
      };
    },

    async update(ctx: Context) {
      const id = idOf(ctx);
      if (!ctx.is('application/json')) throw new GatewayError('unsupported_media_type', 'The request body must be JSON (Content-Type: application/json)');
      const update = validate(updateBody, ctx.request.body, 'body');
      await dispatcher.dispatch({ kind: 'jobs.update', jobId: id, update }, ctx.state.request);
      // Serialised once per answer object: a shared read hands many requests the same job
      // (src/dispatch/shared-reads.ts).
      jsonBody(ctx, await dispatcher.dispatch({ kind: 'jobs.get', jobId: id }, ctx.state.request), (job) => job);
    },
  };
}
