import type { Context } from 'koa';
import type { CommandDispatcher } from '../dispatch/dispatcher.js';
import { toGatewayError } from '../errors.js';
import type { RuntimeInfo } from '../options.js';

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
    const accounting = dispatcher.dispatch({ kind: 'accounting.ping' }, ctx.state.request)
      .catch((thrown: unknown) => ({ status: 'down' as const, reason: toGatewayError(thrown).message }));
    try {
      const ping = await dispatcher.dispatch({ kind: 'ping' }, ctx.state.request);
      ctx.status = ping.controller_reachable ? 200 : 503;
      ctx.body = { status: ping.controller_reachable ? 'ok' : 'unavailable', ...base, cluster: ping.cluster, slurm_version: ping.slurm_version, controller_reachable: ping.controller_reachable, accounting: await accounting };
    } catch (thrown) {
      const error = toGatewayError(thrown);
      if (error.status < 500) { await accounting; throw error; }
      ctx.status = 503;
      if (error.retryAfter !== undefined) ctx.set('Retry-After', String(error.retryAfter));
      ctx.body = { status: 'unavailable', ...base, cluster: null, slurm_version: null, controller_reachable: false, accounting: await accounting, error: { code: error.code, message: error.expose ? error.message : 'Internal error' } };
    }
  };
}
