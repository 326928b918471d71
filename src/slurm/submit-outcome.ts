/**
 * The one answer for a submission whose outcome the gateway cannot know: the request may have
 * reached slurmctld, which may have created the job, but no job id came back. Retrying as is
 * could create a second job, so the answer says how to find out instead.
 */
import { GatewayError } from '../errors.js';

export const HOW_TO_FIND_OUT = 'Retry with the same Idempotency-Key (it answers the job if one was created), or look for the job (GET /v1/jobs?name=…)';

/** submit_outcome_unknown (502, no Retry-After), `why` in the message, the raw failure as cause. */
export function outcomeUnknown(why: string, cause?: unknown): GatewayError {
  return new GatewayError('submit_outcome_unknown', `The submission may or may not have created a job (${why}). ${HOW_TO_FIND_OUT}`, {
    details: { reason: why, how_to_find_out: HOW_TO_FIND_OUT },
    ...(cause !== undefined && { cause }),
  });
}

/** A failure of a submission that had started (a deadline, a lost worker) as submit_outcome_unknown. */
export function startedSubmitFailure(error: GatewayError): GatewayError {
  return outcomeUnknown(error.message.replace(/\.$/, ''), error);
}
