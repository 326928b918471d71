import type { Context, Next } from 'koa';
import type { Authenticator } from '../auth/jwt.js';

/**
 * Puts the caller's identity on the request context; every command built from this request
 * carries it to the executor, which hands the token to Slurm. Without an authenticator
 * (--auth=none) commands carry no identity and run as the user the gateway runs as.
 */
export function authenticate(authenticator: Authenticator | undefined) {
  return async function attachIdentity(ctx: Context, next: Next): Promise<void> {
    if (authenticator) {
      try {
        ctx.state.request.identity = await authenticator.authenticate({
          authorization: ctx.get('Authorization') || undefined,
          'x-slurm-user-token': ctx.get('X-SLURM-USER-TOKEN') || undefined,
          'x-slurm-user-name': ctx.get('X-SLURM-USER-NAME') || undefined,
        });
      } catch (error) {
        if ((error as { status?: number }).status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="scheduler-rest"');
        throw error;
      }
    }
    await next();
  };
}
