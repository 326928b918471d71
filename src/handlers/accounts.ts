import type { Context } from 'koa';
import type { CommandDispatcher } from '../dispatch/dispatcher.js';
import { validate } from '../http/validate.js';
import { emptyQuery, listQuery, slurmName } from '../http/schemas.js';
import { answerList, type PagedList } from '../http/pages.js';

/**
 * Accounts, users and QOS from accounting, read only (#11): what a portal shows a user about what
 * she may submit to. Under --auth=jwt these are read as the caller; slurmdbd's PrivateData
 * (accounts, users) decides what she sees, the gateway adds no rule of its own.
 */
export function accountHandlers(dispatcher: CommandDispatcher, settings: { pageLimit: number | null }) {
  /** A whole list as before, or a page of it by name (src/http/pages.ts). */
  const byName = <T extends { name: string }>(ctx: Context, list: PagedList, items: T[]) =>
    answerList(ctx, list, items, (item) => item.name, validate(listQuery, ctx.query, 'query'), {}, settings.pageLimit, () => { ctx.body = { [list]: items }; });
  return {
    /** GET /v1/accounts */
    async listAccounts(ctx: Context) {
      validate(listQuery, ctx.query, 'query');
      byName(ctx, 'accounts', await dispatcher.dispatch({ kind: 'accounts.list' }, ctx.state.request));
    },

    /** GET /v1/users/{name}: the user, her default account, admin level and associations with their limits. */
    async getUser(ctx: Context) {
      const name = validate(slurmName, ctx.params.name, 'user name');
      validate(emptyQuery, ctx.query, 'query');
      ctx.body = await dispatcher.dispatch({ kind: 'users.get', name }, ctx.state.request);
    },

    /** GET /v1/qos */
    async listQos(ctx: Context) {
      validate(listQuery, ctx.query, 'query');
      byName(ctx, 'qos', await dispatcher.dispatch({ kind: 'qos.list' }, ctx.state.request));
    },
  };
}
