/** Who Slurm acts for: how calls authenticate, and the local account a job is owned by. Pure types. */

/** none: every call is the gateway's own user (munge); jwt: each call carries its caller's token. */
export const AUTH_MODES = ['none', 'jwt'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** A local account as Slurm looks it up (NSS, getpwnam): a job's owner, and its home. */
export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
}
