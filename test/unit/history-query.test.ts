/** GET /v1/history's query and cursor (src/http/history-query.ts): no cluster. */
import { encodeCursor, historyQuery } from '../../src/http/history-query.js';
import { GatewayError } from '../../src/errors.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0) / 1000;
const parse = (query: Record<string, string>, maxDays = 31) => historyQuery(query, maxDays, NOW);
const refusal = (query: Record<string, string>, maxDays = 31): GatewayError => {
  try {
    parse(query, maxDays);
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected a 400');
};

describe('history query', () => {
  const END = NOW - 10; // windows end 10 s ago: slurmdbd shows a job's end to window queries a few seconds late

  it('defaults to the 24 hours before the last 10 seconds, 100 jobs, every ended state', () => {
    expect(parse({})).toEqual({ filter: {}, start: END - 86400, end: END, limit: 100 });
    expect(parse({ end: 'now' }).end).toBe(END);
    expect(parse({ end: '-1h' }).end).toBe(NOW - 3600);
  });

  it('reads relative times, ISO 8601 (UTC without an offset) and now', () => {
    expect(parse({ start: '-7d', end: 'now' })).toMatchObject({ start: NOW - 7 * 86400, end: END });
    expect(parse({ start: 'now-36h', end: '-30m' })).toMatchObject({ start: NOW - 36 * 3600, end: NOW - 1800 });
    expect(parse({ start: '2026-11-30', end: '2026-11-30T08:00:00' })).toMatchObject({ start: Date.UTC(2026, 10, 30) / 1000, end: Date.UTC(2026, 10, 30, 8) / 1000 });
    expect(parse({ start: '2026-11-30T08:00:00+02:00', end: '2026-11-30T09:00:00Z' })).toMatchObject({ start: Date.UTC(2026, 10, 30, 6) / 1000, end: Date.UTC(2026, 10, 30, 9) / 1000 });
  });

  it('takes the filters of GET /v1/jobs, with ended states only', () => {
    expect(parse({ user: 'alice,bob', state: 'failed,TIMEOUT', job_id: '12,34_5', limit: '7' })).toEqual({
      filter: { user: ['alice', 'bob'], state: ['FAILED', 'TIMEOUT'], job_id: ['12', '34_5'] }, start: END - 86400, end: END, limit: 7,
    });
    const running = refusal({ state: 'RUNNING' });
    expect([running.status, running.message]).toEqual([400, expect.stringMatching(/^Invalid query: state.*a state a job ends in/)]);
  });

  it.each([
    [{ start: 'yesterday' }, 'start'],
    [{ end: '2026-13-45T99:00' }, 'end'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '1001' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ start: '-1h', end: '-2h' }, 'start'],
    [{ user: 'bad user' }, 'user'],
    [{ job_id: '0' }, 'job_id'],
    [{ sort: 'asc' }, 'query'],
  ])('refuses %j with a 400 naming %s', (query, field) => {
    const error = refusal(query as Record<string, string>);
    expect(error.status).toBe(400);
    expect((error.details as { issues: Array<{ field: string }> }).issues[0]!.field.split('.')[0]).toBe(field);
  });

  it('refuses a window longer than --history-max-days, saying how long each is', () => {
    const error = refusal({ start: '-40d' }, 31);
    expect(error.message).toMatch(/the window is 40 days long; at most 31 days are allowed \(--history-max-days\)/);
    expect(parse({ start: '-40d' }, 60).start).toBe(NOW - 40 * 86400);
  });

  it('carries the window, the position and the filters in the cursor; ignores a moving start and end', () => {
    const first = parse({ user: 'alice', start: '-2d' });
    const cursor = encodeCursor(first, { end: NOW - 100, job_id: 42 });
    const later = historyQuery({ user: 'alice', start: '-2d', cursor }, 31, NOW + 3600);
    expect(later).toEqual({ ...first, after: { end: NOW - 100, job_id: 42 } });
  });

  it('refuses a cursor made for other filters, and anything that is not one of its cursors', () => {
    const cursor = encodeCursor(parse({ user: 'alice' }), { end: NOW, job_id: 1 });
    expect(refusal({ user: 'bob', cursor }).message).toMatch(/cursor: was made for other filters/);
    for (const forged of ['x', Buffer.from('{"v":1}').toString('base64url'), Buffer.from(JSON.stringify({ v: 1, start: 0, end: NOW, after: { end: 1, job_id: 1 }, filters: 'a'.repeat(32), extra: 1 })).toString('base64url'), '../../etc']) {
      expect(refusal({ cursor: forged }).message).toMatch(/cursor: is not a cursor from a next_cursor of this API/);
    }
  });

  it('checks a forged cursor\'s window against the limit too', () => {
    const wide = Buffer.from(JSON.stringify({ v: 1, start: 0, end: NOW, after: { end: NOW, job_id: 5 }, filters: encodeFilters() })).toString('base64url');
    expect(refusal({ cursor: wide }).message).toMatch(/at most 31 days are allowed/);
  });
});

/** The filters hash of an empty filter, as a cursor made without filters carries it. */
function encodeFilters(): string {
  const cursor = encodeCursor({ filter: {}, start: 0, end: 1, limit: 1 }, { end: 1, job_id: 1 });
  return (JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { filters: string }).filters;
}
