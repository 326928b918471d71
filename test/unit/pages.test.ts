/** Keyset pages (src/http/pages.ts): order, cursors, and the cursors refused. */
import { encodeCursor, pageOf } from '../../src/http/pages.js';
import { GatewayError } from '../../src/errors.js';

const jobs = [5, 3, 9, 1, 7].map((job_id) => ({ job_id }));
const key = (j: { job_id: number }) => j.job_id;

/** Every page of `items`, following next cursors; `between` changes the list between pages. */
function walk(items: Array<{ job_id: number }>, limit: number, between: (page: number) => void = () => {}) {
  const seen: number[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const answer = pageOf('jobs', items, key, { limit, ...(cursor && { cursor }) }, {}, null)!;
    seen.push(...answer.items.map(key));
    if (answer.next === null) return seen;
    cursor = answer.next;
    between(page);
  }
  throw new Error('the walk did not end');
}

function refusal(run: () => unknown): string {
  try { run(); } catch (error) { expect(error).toBeInstanceOf(GatewayError); expect((error as GatewayError).status).toBe(400); return (error as Error).message; }
  throw new Error('not refused');
}

describe('pages', () => {
  it('answers nothing (the whole list, as before) without a limit, given or configured', () => {
    expect(pageOf('jobs', jobs, key, {}, {}, null)).toBeUndefined();
    expect(pageOf('jobs', jobs, key, {}, {}, 2)?.items.map(key)).toEqual([1, 3]);
  });

  it('walks in key order, each item once, the last page with no next cursor', () => {
    expect(walk(jobs, 2)).toEqual([1, 3, 5, 7, 9]);
    expect(walk(jobs, 5)).toEqual([1, 3, 5, 7, 9]);
    expect(pageOf('jobs', jobs, key, { limit: 5 }, {}, null)?.next).toBeNull();
    expect(pageOf('jobs', [], key, { limit: 5 }, {}, null)).toEqual({ items: [], next: null });
  });

  it('returns every item that stays exactly once while items are added and removed', () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ job_id: i * 2 + 1 }));
    const staying = items.filter((j) => j.job_id % 3 !== 0).map(key);
    let next = 1000;
    const seen = walk(items, 7, (page) => {
      items.push({ job_id: next++ }); // a submission: a larger id
      const gone = items.findIndex((j) => j.job_id % 3 === 0 && j.job_id > page); // a cancellation, ahead or behind
      if (gone >= 0) items.splice(gone, 1);
    });
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of staying) expect(seen.filter((s) => s === id)).toHaveLength(1);
  });

  it('pages by name for the other lists', () => {
    const nodes = ['n10', 'n2', 'a'].map((name) => ({ name }));
    const first = pageOf('nodes', nodes, (n) => n.name, { limit: 2 }, {}, null)!;
    expect(first.items.map((n) => n.name)).toEqual(['a', 'n10']);
    expect(pageOf('nodes', nodes, (n) => n.name, { limit: 2, cursor: first.next! }, {}, null)!.items.map((n) => n.name)).toEqual(['n2']);
  });

  it('refuses a cursor of another list, of other filters, edited or made up', () => {
    const cursor = encodeCursor('jobs', 3, { user: ['alice'] });
    expect(pageOf('jobs', jobs, key, { limit: 2, cursor }, { user: ['alice'] }, null)?.items.map(key)).toEqual([5, 7]);
    expect(refusal(() => pageOf('nodes', [], (n: { name: string }) => n.name, { limit: 2, cursor }, { user: ['alice'] }, null))).toMatch(/made for GET \/v1\/jobs, not GET \/v1\/nodes/);
    expect(refusal(() => pageOf('jobs', jobs, key, { limit: 2, cursor }, { user: ['bob'] }, null))).toMatch(/other filters/);
    const [payload, check] = cursor.split('.');
    const edited = Buffer.from(Buffer.from(payload!, 'base64url').toString().replace('"after":3', '"after":4')).toString('base64url');
    expect(refusal(() => pageOf('jobs', jobs, key, { limit: 2, cursor: `${edited}.${check}` }, { user: ['alice'] }, null))).toMatch(/not a cursor/);
    for (const bad of ['', 'x', `${payload}`, `${payload}.${check}.x`, `${payload}.0000000000000000`]) {
      expect(refusal(() => pageOf('jobs', jobs, key, { limit: 2, cursor: bad }, { user: ['alice'] }, null))).toMatch(/not a cursor/);
    }
  });

  it('takes a cursor without a limit: the configured default, else 100', () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ job_id: i + 1 }));
    const cursor = encodeCursor('jobs', 10, {});
    expect(pageOf('jobs', many, key, { cursor }, {}, null)?.items).toHaveLength(100);
    expect(pageOf('jobs', many, key, { cursor }, {}, 20)?.items).toHaveLength(20);
  });
});
