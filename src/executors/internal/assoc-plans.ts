/**
 * Accounts, users and QOS (#11) from slurmdb (native/ops_accounting.cc: acct_accounts, acct_user,
 * acct_qos), formatted the way sacctmgr prints each value and read with the shared rules of
 * src/slurm/associations.ts, so that the external executor's sacctmgr answers equal these. No I/O.
 */
import type { AccountInfo, Qos, UserInfo } from '../../model.js';
import { accountingFailure } from '../../slurm/accounting.js';
import {
  ADMIN_LEVEL_TEXT, accountingUserName, minutesText, qosFlagsText, sortAccounts, sortQos, toAccount, toAssociation, toQos,
  toUser, tresAsSacctmgr, userNotFound,
} from '../../slurm/associations.js';
import { isSlurmCallError, type Constants, type OpArgs, type OpName, type OpResult } from './binding.js';
import { call, type Plan, type PlanEnv } from './plan.js';

/** One slurmdb call; a failure is accounting's (503 accounting_unavailable, 501 not configured). */
function* accounting<N extends OpName>(op: N, args: OpArgs<N>): Plan<OpResult<N>> {
  try {
    return yield* call(op, args);
  } catch (error) {
    if (isSlurmCallError(error)) throw accountingFailure(error.slurmError, { api: error.api, errno: error.slurmErrno });
    throw error;
  }
}

/** A raw count as sacctmgr prints it: INFINITE and NO_VAL (unset) print nothing. */
const count = (n: number, c: Constants) => (n === c.INFINITE || n === c.NO_VAL ? '' : String(n));
const wall = (n: number, c: Constants) => (n === c.INFINITE || n === c.NO_VAL ? '' : minutesText(n));

export function* listAccounts(): Plan<AccountInfo[]> {
  const raw = yield* accounting('acct_accounts', {});
  return sortAccounts(raw.map((a) => toAccount({
    name: a.name,
    description: a.description ?? '',
    organization: a.organization ?? '',
    parents: a.parents.map((p) => ({ cluster: p.cluster ?? '', parent: p.parent ?? '' })),
  })));
}

export function* getUser(requested: string, env: PlanEnv): Plan<UserInfo> {
  const c = env.binding.constants;
  const raw = yield* accounting('acct_user', { name: accountingUserName(requested) });
  if (!raw) throw userNotFound(requested);
  const associations = raw.associations.map((a) => toAssociation({
    cluster: a.cluster ?? '',
    account: a.account ?? '',
    partition: a.partition ?? '',
    qos: a.qos.join(','),
    default_qos: a.default_qos ?? '',
    max_wall: wall(a.max_wall, c),
    max_tres_per_job: tresAsSacctmgr(a.max_tres_per_job),
    grp_tres: tresAsSacctmgr(a.grp_tres),
    max_jobs: count(a.max_jobs, c),
    max_submit_jobs: count(a.max_submit_jobs, c),
    grp_jobs: count(a.grp_jobs, c),
  }));
  return toUser(raw.name, raw.default_account ?? '', ADMIN_LEVEL_TEXT[raw.admin_level] ?? '', associations);
}

export function* listQos(env: PlanEnv): Plan<Qos[]> {
  const c = env.binding.constants;
  const raw = yield* accounting('acct_qos', {});
  return sortQos(raw.map((q) => toQos({
    name: q.name,
    priority: count(q.priority, c),
    max_wall: wall(q.max_wall, c),
    max_tres_per_job: tresAsSacctmgr(q.max_tres_per_job),
    max_tres_per_user: tresAsSacctmgr(q.max_tres_per_user),
    max_jobs_per_user: count(q.max_jobs_per_user, c),
    max_submit_jobs_per_user: count(q.max_submit_jobs_per_user, c),
    grp_tres: tresAsSacctmgr(q.grp_tres),
    flags: qosFlagsText(q.flags),
  })));
}
