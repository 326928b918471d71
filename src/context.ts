/**
 * The context that travels with every command. {@link CommandContext} is plain data and crosses
 * worker boundaries; the abort signal stays on the side that owns the request.
 */
import type { CallSink } from './scheduler-calls.js';

export interface Identity {
  /** The user the command acts as; undefined means the user the gateway runs as. */
  user?: string;
  /** A Slurm JWT to act as `user` (issue 5). */
  token?: string;
}

export interface CommandContext {
  requestId: string;
  /** Absolute deadline, epoch milliseconds. */
  deadline: number;
  identity?: Identity;
}

export interface RequestContext extends CommandContext {
  /** Aborted when the client goes away or the deadline passes. */
  signal: AbortSignal;
  /** Told of each scheduler call made for the request (src/scheduler-calls.ts); stays on this side, like the signal. */
  record?: CallSink;
}

/** Milliseconds left before the deadline, never negative. */
export function remaining(ctx: CommandContext, now: number = Date.now()): number {
  return Math.max(0, ctx.deadline - now);
}

/** The plain, cloneable part of a request context. */
export function toCommandContext(ctx: CommandContext): CommandContext {
  return { requestId: ctx.requestId, deadline: ctx.deadline, ...(ctx.identity && { identity: ctx.identity }) };
}
