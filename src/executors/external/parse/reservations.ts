import type { License, Reservation } from '../../../model.js';
import { parseKeyValues } from './keyvalue.js';
import { parseTres } from '../../../slurm/accounting.js';
import { licenseCounts, reservationState } from '../../../slurm/resources.js';
import { epochToIso, list, optionalInt, optionalText } from '../../../slurm/values.js';
import { UnreadableOutput } from './values.js';

/**
 * Parses `scontrol --oneliner show reservation [name]` (SLURM_TIME_FORMAT=%s). State is read
 * from scontrol's own State= (it compares the times with its clock, as the internal executor
 * does). "No reservations in the system" lists none. Pure.
 */
export function parseReservations(stdout: string): Reservation[] {
  return stdout.split('\n').filter((line) => line.startsWith('ReservationName=')).map((line) => {
    const kv = parseKeyValues(line);
    const start = optionalInt(kv.StartTime);
    const end = optionalInt(kv.EndTime);
    const state = kv.State === 'ACTIVE' || kv.State === 'INACTIVE' ? kv.State : start !== null && end !== null ? reservationState(start, end) : undefined;
    if (state === undefined) throw new UnreadableOutput(`scontrol printed a reservation state it should not: ${JSON.stringify(kv.State)}`);
    return {
      name: kv.ReservationName ?? '',
      state,
      start_time: epochToIso(kv.StartTime),
      end_time: epochToIso(kv.EndTime),
      nodes: optionalText(kv.Nodes),
      node_count: optionalInt(kv.NodeCnt) ?? 0,
      core_count: optionalInt(kv.CoreCnt) ?? 0,
      partition: optionalText(kv.PartitionName),
      users: list(kv.Users),
      accounts: list(kv.Accounts),
      licenses: licenseCounts(kv.Licenses),
      flags: list(kv.Flags),
      tres: parseTres(kv.TRES),
    };
  });
}

/** Parses `scontrol --oneliner show licenses`: "LicenseName=matlab Total=4 Used=0 Free=4 Reserved=1 Remote=no". Pure. */
export function parseLicenses(stdout: string): License[] {
  return stdout.split('\n').filter((line) => line.startsWith('LicenseName=')).map((line) => {
    const kv = parseKeyValues(line);
    const count = (key: string) => {
      const n = optionalInt(kv[key]);
      if (n === null) throw new UnreadableOutput(`scontrol printed a license ${key} that is not a number: ${JSON.stringify(kv[key])}`);
      return n;
    };
    return {
      name: kv.LicenseName ?? '',
      total: count('Total'),
      used: count('Used'),
      free: count('Free'),
      reserved: count('Reserved'),
      remote: kv.Remote === 'yes',
    };
  });
}
