import type { Context } from 'koa';
import type { CommandDispatcher } from '../dispatch/dispatcher.js';
import { toGatewayError } from '../errors.js';
import type { RuntimeInfo } from '../options.js';
import type { AccountingPing } from '../model.js';

/** How long health waits for accounting's answer. */
const ACCOUNTING_WAIT_MS = 3000;

function within<T>(ms: number, work: Promise<T>): Promise<T | AccountingPing> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<AccountingPing>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'down', reason: `slurmdbd did not answer within ${ms / 1000} s` }), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** 200 when the controller answers, 503 with the same shape when it does not. */
export function healthHandler(dispatcher: CommandDispatcher, runtime: RuntimeInfo) {
  return async function health(ctx: Context) {
    const base = {
      version: runtime.version,
      mode: { executor: runtime.executor, application: runtime.dispatchMode, parallel: runtime.parallel },
      dispatch: { running: dispatcher.running, waiting: dispatcher.waiting },
    };
    // Accounting is asked beside the controller and reported apart: history can fail while the
    // queue works, and health's status stays the controller's.
    // A slurmdbd that accepts and never answers would hold health until the deadline: it is
    // reported down after ACCOUNTING_WAIT_MS instead (its command finishes on its own).
    const accounting = within(ACCOUNTING_WAIT_MS, dispatcher.dispatch({ kind: 'accounting.ping' }, ctx.state.request))
      .catch((thrown: unknown) => ({ status: 'down' as const, reason: toGatewayError(thrown).message }));
    try {
      const ping = await dispatcher.dispatch({ kind: 'ping' }, ctx.state.request);
      ctx.status = ping.controller_reachable ? 200 : 503;
      if (!ping.controller_reachable) ctx.set('Retry-After', '5');
      ctx.body = { status: ping.controller_reachable ? 'ok' : 'unavailable', ...base, cluster: ping.cluster, slurm_version: ping.slurm_version, controller_reachable: ping.controller_reachable, accounting: await accounting };
    } catch (thrown) {
      const error = toGatewayError(thrown);
      if (error.status < 500) { await accounting; throw error; }
      ctx.status = 503;
      ctx.set('Retry-After', String(error.retryAfter ?? 5));
      ctx.body = { status: 'unavailable', ...base, cluster: null, slurm_version: null, controller_reachable: false, accounting: await accounting, error: { code: error.code, message: error.expose ? error.message : 'Internal error' } };
    }
  };
}
