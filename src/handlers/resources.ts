import type { Context } from 'koa';
import type { CommandDispatcher } from '../dispatch/dispatcher.js';
import { validate } from '../http/validate.js';
import { emptyQuery, listQuery, slurmName } from '../http/schemas.js';
import { answerList, type PagedList } from '../http/pages.js';
import { jsonBody } from '../http/json-body.js';

/** Nodes, partitions, reservations, licenses and the cluster: read-only views. */
export function resourceHandlers(dispatcher: CommandDispatcher, settings: { pageLimit: number | null }) {
  /** A whole list as before, or a page of it by name (src/http/pages.ts). */
  const byName = <T extends { name: string }>(ctx: Context, list: PagedList, items: T[]) =>
    // The whole list through jsonBody: a kept (validated) node list is serialised once, not per request.
    answerList(ctx, list, items, (item) => item.name, validate(listQuery, ctx.query, 'query'), {}, settings.pageLimit, () => jsonBody(ctx, items, (all) => ({ [list]: all })));

  const nameOf = (ctx: Context, what: string) => {
    validate(emptyQuery, ctx.query, 'query');
    return validate(slurmName, ctx.params.name, `${what} name`);
  };

  return {
    async listNodes(ctx: Context) {
      validate(listQuery, ctx.query, 'query');
      byName(ctx, 'nodes', await dispatcher.dispatch({ kind: 'nodes.list' }, ctx.state.request));
    },
    async getNode(ctx: Context) {
      ctx.body = await dispatcher.dispatch({ kind: 'nodes.get', name: nameOf(ctx, 'node') }, ctx.state.request);
    },
    async listPartitions(ctx: Context) {
      validate(listQuery, ctx.query, 'query');
      byName(ctx, 'partitions', await dispatcher.dispatch({ kind: 'partitions.list' }, ctx.state.request));
    },
    async getPartition(ctx: Context) {
      ctx.body = await dispatcher.dispatch({ kind: 'partitions.get', name: nameOf(ctx, 'partition') }, ctx.state.request);
    },
    async listReservations(ctx: Context) {
      validate(listQuery, ctx.query, 'query');
      byName(ctx, 'reservations', await dispatcher.dispatch({ kind: 'reservations.list' }, ctx.state.request));
    },
    async getReservation(ctx: Context) {
      ctx.body = await dispatcher.dispatch({ kind: 'reservations.get', name: nameOf(ctx, 'reservation') }, ctx.state.request);
    },
    async listLicenses(ctx: Context) {
      validate(listQuery, ctx.query, 'query');
      byName(ctx, 'licenses', await dispatcher.dispatch({ kind: 'licenses.list' }, ctx.state.request));
    },
    async cluster(ctx: Context) {
      validate(emptyQuery, ctx.query, 'query');
      ctx.body = await dispatcher.dispatch({ kind: 'cluster.info' }, ctx.state.request);
    },
  };
}
