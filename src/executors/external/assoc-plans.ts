/**
 * Accounts, users and QOS (#11) from slurmdbd through sacctmgr, read only. Every run is
 * `sacctmgr --noheader --parsable2 show …` with an explicit format, at most one free-text field,
 * last (Description, Organization: a `|` in it stays in it), and names go in as `name=value` after
 * schema validation (src/http/schemas.ts: slurmName). A failed run is accountingError() (503 or
 * 501); an unknown user is empty output with exit 0, so 404 user_not_found.
 */
import type { AccountInfo, Qos, UserInfo } from '../../model.js';
import {
  accountingUserName, sortAccounts, sortQos, toAccount, toAssociation, toQos, toUser, userNotFound,
  type AccountText,
} from '../../slurm/associations.js';
import { accountingError } from './accounting-plans.js';
import type { Invocation, RunResult } from './invocation.js';

type Plan<R> = Generator<Invocation, R, RunResult>;

/** The fields of each run; the last one may hold `|` (split takes the rest of the line). */
export const QOS_FIELDS = ['Name', 'Priority', 'MaxWall', 'MaxTRES', 'MaxTRESPerUser', 'MaxJobsPerUser', 'MaxSubmitJobsPerUser', 'GrpTRES', 'Flags'] as const;
export const ASSOC_FIELDS = ['Cluster', 'Account', 'Partition', 'QOS', 'DefaultQOS', 'MaxWall', 'MaxTRES', 'GrpTRES', 'MaxJobs', 'MaxSubmitJobs', 'GrpJobs'] as const;
export const USER_FIELDS = ['User', 'DefaultAccount', 'AdminLevel'] as const;
export const ACCOUNT_ASSOC_FIELDS = ['Account', 'User', 'ParentName', 'Description'] as const;
export const ACCOUNT_ORG_FIELDS = ['Account', 'Organization'] as const;

/** `--parsable2` lines into `n` fields each; the last field takes the rest of its line. */
export function splitRows(stdout: string, n: number): string[][] {
  return stdout.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const parts = line.split('|');
    return parts.length <= n ? [...parts, ...Array<string>(n - parts.length).fill('')] : [...parts.slice(0, n - 1), parts.slice(n - 1).join('|')];
  });
}

function* sacctmgr(args: string[], fields: readonly string[]): Plan<string[][]> {
  const result = yield { tool: 'sacctmgr', args: ['--noheader', '--parsable2', 'show', ...args, `format=${fields.join(',')}`] };
  const failure = accountingError(result);
  if (failure) throw failure;
  return splitRows(result.stdout, fields.length);
}

export function parseQos(stdout: string): Qos[] {
  return sortQos(splitRows(stdout, QOS_FIELDS.length).map(([name, priority, max_wall, max_tres_per_job, max_tres_per_user, max_jobs_per_user, max_submit_jobs_per_user, grp_tres, flags]) =>
    toQos({ name: name!, priority: priority!, max_wall: max_wall!, max_tres_per_job: max_tres_per_job!, max_tres_per_user: max_tres_per_user!, max_jobs_per_user: max_jobs_per_user!, max_submit_jobs_per_user: max_submit_jobs_per_user!, grp_tres: grp_tres!, flags: flags! })));
}

export function parseAssociations(stdout: string) {
  return splitRows(stdout, ASSOC_FIELDS.length).map(([cluster, account, partition, qos, default_qos, max_wall, max_tres_per_job, grp_tres, max_jobs, max_submit_jobs, grp_jobs]) =>
    toAssociation({ cluster: cluster!, account: account!, partition: partition!, qos: qos!, default_qos: default_qos!, max_wall: max_wall!, max_tres_per_job: max_tres_per_job!, grp_tres: grp_tres!, max_jobs: max_jobs!, max_submit_jobs: max_submit_jobs!, grp_jobs: grp_jobs! }));
}

/**
 * `show account withassoc user=` (`user=` empty: only the accounts' own associations, not every
 * user's; such a row has no user and names the parent) and `show account` (Organization).
 */
export function parseAccounts(withAssoc: string, organizations: string): AccountInfo[] {
  const accounts = new Map<string, AccountText>();
  for (const [name, user, parent, description] of splitRows(withAssoc, ACCOUNT_ASSOC_FIELDS.length)) {
    let a = accounts.get(name!);
    if (!a) accounts.set(name!, a = { name: name!, description: description!, organization: '', parents: [] });
    // The account's own association: its parent (root has none). No Cluster column: with several
    // clusters, the first such row stands.
    if (user === '') a.parents.push({ cluster: '', parent: parent! });
  }
  for (const [name, organization] of splitRows(organizations, ACCOUNT_ORG_FIELDS.length)) {
    const a = accounts.get(name!);
    if (a) a.organization = organization!;
    else accounts.set(name!, { name: name!, description: '', organization: organization!, parents: [] });
  }
  return sortAccounts([...accounts.values()].map(toAccount));
}

export function* listAccounts(): Plan<AccountInfo[]> {
  const withAssoc = yield { tool: 'sacctmgr', args: ['--noheader', '--parsable2', 'show', 'account', 'withassoc', 'user=', `format=${ACCOUNT_ASSOC_FIELDS.join(',')}`] };
  const failure = accountingError(withAssoc);
  if (failure) throw failure;
  const orgs = yield { tool: 'sacctmgr', args: ['--noheader', '--parsable2', 'show', 'account', `format=${ACCOUNT_ORG_FIELDS.join(',')}`] };
  const orgFailure = accountingError(orgs);
  if (orgFailure) throw orgFailure;
  return parseAccounts(withAssoc.stdout, orgs.stdout);
}

export function* getUser(requested: string): Plan<UserInfo> {
  const name = accountingUserName(requested);
  const rows = yield* sacctmgr(['user', `name=${name}`], USER_FIELDS);
  const row = rows.find((r) => r[0] === name);
  if (!row) throw userNotFound(requested);
  const assoc = yield { tool: 'sacctmgr', args: ['--noheader', '--parsable2', 'show', 'assoc', `user=${name}`, `format=${ASSOC_FIELDS.join(',')}`] };
  const failure = accountingError(assoc);
  if (failure) throw failure;
  return toUser(row[0]!, row[1]!, row[2]!, parseAssociations(assoc.stdout));
}

export function* listQos(): Plan<Qos[]> {
  const result = yield { tool: 'sacctmgr', args: ['--noheader', '--parsable2', 'show', 'qos', `format=${QOS_FIELDS.join(',')}`] };
  const failure = accountingError(result);
  if (failure) throw failure;
  return parseQos(result.stdout);
}
