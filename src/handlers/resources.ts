import type { Context } from 'koa';
import type { CommandDispatcher } from '../dispatch/dispatcher.js';
import { validate } from '../http/validate.js';
import { emptyQuery, slurmName } from '../http/schemas.js';

/** Nodes, partitions, reservations, licenses and the cluster: read-only views. */
export function resourceHandlers(dispatcher: CommandDispatcher) {
  const nameOf = (ctx: Context, what: string) => {
    validate(emptyQuery, ctx.query, 'query');
    return validate(slurmName, ctx.params.name, `${what} name`);
  };

  return {
    async listNodes(ctx: Context) {
      validate(emptyQuery, ctx.query, 'query');
      ctx.body = { nodes: await dispatcher.dispatch({ kind: 'nodes.list' }, ctx.state.request) };
    },
    async getNode(ctx: Context) {
      ctx.body = await dispatcher.dispatch({ kind: 'nodes.get', name: nameOf(ctx, 'node') }, ctx.state.request);
    },
    async listPartitions(ctx: Context) {
      validate(emptyQuery, ctx.query, 'query');
      ctx.body = { partitions: await dispatcher.dispatch({ kind: 'partitions.list' }, ctx.state.request) };
    },
    async getPartition(ctx: Context) {
      ctx.body = await dispatcher.dispatch({ kind: 'partitions.get', name: nameOf(ctx, 'partition') }, ctx.state.request);
    },
    async listReservations(ctx: Context) {
      validate(emptyQuery, ctx.query, 'query');
      ctx.body = { reservations: await dispatcher.dispatch({ kind: 'reservations.list' }, ctx.state.request) };
    },
    async getReservation(ctx: Context) {
      ctx.body = await dispatcher.dispatch({ kind: 'reservations.get', name: nameOf(ctx, 'reservation') }, ctx.state.request);
    },
    async listLicenses(ctx: Context) {
      validate(emptyQuery, ctx.query, 'query');
      ctx.body = { licenses: await dispatcher.dispatch({ kind: 'licenses.list' }, ctx.state.request) };
    },
    async cluster(ctx: Context) {
      validate(emptyQuery, ctx.query, 'query');
      ctx.body = await dispatcher.dispatch({ kind: 'cluster.info' }, ctx.state.request);
    },
  };
}
