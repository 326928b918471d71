import type { Context } from 'koa';
import type { CommandDispatcher } from '../dispatch/dispatcher.js';
import { validate } from '../http/validate.js';
import { emptyQuery, jobId } from '../http/schemas.js';
import { encodeCursor, historyQuery } from '../http/history-query.js';
import { linkNext } from '../http/pages.js';

/** Jobs after the queue: a job's steps, and the history of ended jobs from accounting. */
export function historyHandlers(dispatcher: CommandDispatcher, settings: { historyMaxDays: number }) {
  return {
    /** GET /v1/jobs/{id}/steps: from slurmctld while the job runs, from accounting after. */
    async steps(ctx: Context) {
      const id = validate(jobId, ctx.params.id, 'job id');
      validate(emptyQuery, ctx.query, 'query');
      const steps = await dispatcher.dispatch({ kind: 'jobs.steps', jobId: id }, ctx.state.request);
      ctx.body = { steps };
    },

    /**
     * GET /v1/history: ended jobs, the most recently ended first, one page at a time.
     * `next_cursor` continues the walk; null on the last page.
     */
    async list(ctx: Context) {
      const query = historyQuery(ctx.query, settings.historyMaxDays);
      const page = await dispatcher.dispatch({ kind: 'jobs.history', query }, ctx.state.request);
      const next = page.next ? encodeCursor(query, page.next) : null;
      if (next) linkNext(ctx, next); // as the other lists' pages (src/http/pages.ts)
      ctx.body = {
        jobs: page.jobs,
        next_cursor: next,
        window: { start: new Date(query.start * 1000).toISOString(), end: new Date(query.end * 1000).toISOString() },
      };
    },
  };
}
