import type { CommandContext } from '../../context.js';
import type { ResultOf, SchedulerCommand } from '../../commands.js';
import type { Executor, ExecutorOptions } from '../executor.js';
import { drivePlan, drivePlanSync } from '../drive.js';
import { GatewayError } from '../../errors.js';
import { lookupAccount, lookupAccountSync, type Account } from '../../auth/accounts.js';
import { planFor, type Plan } from './plans.js';
import { SlurmRunner, userNamespaceProblem, type Invocation, type ToolRunner } from './runner.js';
import { startedSubmitFailure } from '../../slurm/submit-outcome.js';
import { inCallersHome, noLocalAccount, submitsAJob } from '../../slurm/identity.js';
import type { CallSink } from '../../scheduler-calls.js';
import { failedToolCall, toolCall } from './call-record.js';

/**
 * Runs Slurm's own tools (sbatch, squeue, scancel, scontrol, sinfo, sdiag, sacct, sacctmgr) through execa. The
 * plans say what to run; this class only drives them with the async or the sync transport.
 */
export class ExternalExecutor implements Executor {
  readonly #runner: ToolRunner;

  constructor(options: ExecutorOptions = {}, runner: ToolRunner = new SlurmRunner(options)) {
    this.#runner = runner;
    if (options.auth === 'jwt') {
      const problem = userNamespaceProblem();
      if (problem) {
        throw new Error(`the external executor submits as the caller by running sbatch in an unprivileged user namespace (sbatch takes the job's owner from getuid(); only root may pass --uid), and this machine refuses one (unshare: ${problem}); enable unprivileged user namespaces, or use --executor=internal`);
      }
    }
  }

  async execute<C extends SchedulerCommand>(command: C, ctx: CommandContext, signal?: AbortSignal, record?: CallSink): Promise<ResultOf<C>> {
    const caller = needsAccount(command, ctx) ? account(ctx.identity!.user!, await lookupAccount(ctx.identity!.user!)) : undefined;
    const plan: Plan<ResultOf<C>> = planFor(asCaller(command, caller), ctx.identity?.user);
    return drivePlan(plan, (invocation) => {
      const start = performance.now();
      return this.#runner.run(withOwner(invocation, caller), ctx, signal).then(
        (result) => { record?.(toolCall(invocation, start, result)); return result; },
        (error: unknown) => { record?.(failedToolCall(invocation, start, error)); throw sbatchLost(invocation, error); },
      );
    });
  }

  executeSync<C extends SchedulerCommand>(command: C, ctx: CommandContext, record?: CallSink): ResultOf<C> {
    const caller = needsAccount(command, ctx) ? account(ctx.identity!.user!, lookupAccountSync(ctx.identity!.user!)) : undefined;
    const plan: Plan<ResultOf<C>> = planFor(asCaller(command, caller), ctx.identity?.user);
    return drivePlanSync(plan, (invocation) => {
      const start = performance.now();
      try {
        const result = this.#runner.runSync(withOwner(invocation, caller), ctx);
        record?.(toolCall(invocation, start, result));
        return result;
      } catch (error) {
        record?.(failedToolCall(invocation, start, error));
        throw sbatchLost(invocation, error);
      }
    });
  }
}

/**
 * sbatch killed (at the deadline, by a signal, or for printing too much) after it started: it
 * may have sent the job, so the outcome is unknown. The runner's errors for a tool that never
 * ran (no time left, not installed) carry no `details.tool` and keep their own code.
 */
function sbatchLost(invocation: Invocation, error: unknown): unknown {
  if (invocation.tool !== 'sbatch' || !(error instanceof GatewayError)) return error;
  const ran = error.details?.tool === 'sbatch' && error.code !== 'scheduler_unavailable';
  return ran ? startedSubmitFailure(error) : error;
}

/** Only a submission needs the caller's local account: its uid, gid and home. */
function needsAccount(command: SchedulerCommand, ctx: CommandContext): boolean {
  return submitsAJob(command) && Boolean(ctx.identity?.user);
}

function account(user: string, found: Account | null): Account {
  if (!found) throw noLocalAccount(user);
  return found;
}

function asCaller<C extends SchedulerCommand>(command: C, caller: Account | undefined): C {
  return caller ? inCallersHome(command, caller) : command;
}

/** sbatch runs as the caller's uid, unless the gateway already is that user. */
function withOwner(invocation: Invocation, caller: Account | undefined): Invocation {
  if (!caller || invocation.tool !== 'sbatch' || caller.uid === process.getuid?.()) return invocation;
  return { ...invocation, as: { uid: caller.uid, gid: caller.gid } };
}
