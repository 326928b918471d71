import type { CommandContext } from '../../context.js';
import type { ResultOf, SchedulerCommand } from '../../commands.js';
import type { Executor, ExecutorOptions } from '../executor.js';
import { planFor, type Plan } from './plans.js';
import { SlurmRunner } from './runner.js';

/**
 * Runs Slurm's own tools (sbatch, squeue, scancel, scontrol, sinfo, sdiag) through execa. The
 * plans say what to run; this class only drives them with the async or the sync transport.
 */
export class ExternalExecutor implements Executor {
  readonly #runner: SlurmRunner;

  constructor(options: ExecutorOptions = {}) {
    this.#runner = new SlurmRunner(options);
  }

  async execute<C extends SchedulerCommand>(command: C, ctx: CommandContext, signal?: AbortSignal): Promise<ResultOf<C>> {
    const plan: Plan<ResultOf<C>> = planFor(command);
    let step = plan.next();
    while (!step.done) step = plan.next(await this.#runner.run(step.value, ctx, signal));
    return step.value;
  }

  executeSync<C extends SchedulerCommand>(command: C, ctx: CommandContext): ResultOf<C> {
    const plan: Plan<ResultOf<C>> = planFor(command);
    let step = plan.next();
    while (!step.done) step = plan.next(this.#runner.runSync(step.value, ctx));
    return step.value;
  }
}
