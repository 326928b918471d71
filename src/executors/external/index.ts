import type { CommandContext } from '../../context.js';
import type { ResultOf, SchedulerCommand } from '../../commands.js';
import type { Executor, ExecutorOptions } from '../executor.js';
import { GatewayError } from '../../errors.js';
import { lookupAccount, lookupAccountSync, type Account } from '../../auth/accounts.js';
import { planFor, type Plan } from './plans.js';
import { SlurmRunner, userNamespaceProblem, type Invocation } from './runner.js';

/**
 * Runs Slurm's own tools (sbatch, squeue, scancel, scontrol, sinfo, sdiag) through execa. The
 * plans say what to run; this class only drives them with the async or the sync transport.
 */
export class ExternalExecutor implements Executor {
  readonly #runner: SlurmRunner;

  constructor(options: ExecutorOptions = {}) {
    this.#runner = new SlurmRunner(options);
    if (options.auth === 'jwt') {
      const problem = userNamespaceProblem();
      if (problem) {
        throw new Error(`the external executor submits as the caller by running sbatch in an unprivileged user namespace (sbatch takes the job's owner from getuid(); only root may pass --uid), and this machine refuses one (unshare: ${problem}); enable unprivileged user namespaces, or use --executor=internal`);
      }
    }
  }

  async execute<C extends SchedulerCommand>(command: C, ctx: CommandContext, signal?: AbortSignal): Promise<ResultOf<C>> {
    const caller = needsAccount(command, ctx) ? account(await lookupAccount(ctx.identity!.user!)) : undefined;
    const plan: Plan<ResultOf<C>> = planFor(asCaller(command, caller));
    let step = plan.next();
    while (!step.done) step = plan.next(await this.#runner.run(delegated(step.value, caller, ctx), ctx, signal));
    return step.value;
  }

  executeSync<C extends SchedulerCommand>(command: C, ctx: CommandContext): ResultOf<C> {
    const caller = needsAccount(command, ctx) ? account(lookupAccountSync(ctx.identity!.user!)) : undefined;
    const plan: Plan<ResultOf<C>> = planFor(asCaller(command, caller));
    let step = plan.next();
    while (!step.done) step = plan.next(this.#runner.runSync(delegated(step.value, caller, ctx), ctx));
    return step.value;
  }
}

/** Only a submission needs the caller's local account: its uid, gid and home. */
function needsAccount(command: SchedulerCommand, ctx: CommandContext): boolean {
  return command.kind === 'jobs.submit' && Boolean(ctx.identity?.user);
}

function account(found: Account | null): Account {
  if (!found) throw new GatewayError('forbidden', 'The caller has no account on the gateway\'s host');
  return found;
}

/** A caller's job runs in their home unless the request names a directory. */
function asCaller<C extends SchedulerCommand>(command: C, caller: Account | undefined): C {
  if (!caller || command.kind !== 'jobs.submit' || command.submission.working_directory) return command;
  return { ...command, submission: { ...command.submission, working_directory: caller.home } };
}

/** Variables sbatch itself reads (options, configuration, the token): never from a caller. */
const RESERVED = /^(SLURM_|SBATCH_)/;

/**
 * sbatch for a caller with a token: as the caller's uid (unless the gateway already is that user),
 * and with the job's environment passed by name, because --export-file would drop SLURM_JWT.
 */
function delegated(invocation: Invocation, caller: Account | undefined, ctx: CommandContext): Invocation {
  if (!caller || invocation.tool !== 'sbatch' || !ctx.identity?.token) return invocation;
  const file = invocation.files?.find((f) => f.flag === 'export-file');
  const environment = Object.fromEntries((file?.content ?? '').split('\0').filter(Boolean).map((entry) => {
    const eq = entry.indexOf('=');
    return [entry.slice(0, eq), entry.slice(eq + 1)];
  }));
  const reserved = Object.keys(environment).filter((name) => RESERVED.test(name));
  if (reserved.length) throw new GatewayError('invalid_request', `environment: ${reserved.join(', ')} are reserved for Slurm's own use`);
  const names = Object.keys(environment);
  return {
    ...invocation,
    files: invocation.files?.filter((f) => f !== file),
    args: invocation.args.map((arg) => (arg === '--export=NIL' && names.length ? `--export=NIL,${names.join(',')}` : arg)),
    environment,
    ...(caller.uid !== process.getuid?.() && { as: { uid: caller.uid, gid: caller.gid } }),
  };
}
