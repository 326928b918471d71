/**
 * #14: node lists validated by slurmctld (src/dispatch/validated-lists.ts), on the real cluster.
 * In every mode the gateway can run, a change an operator makes to the node (drain with a reason,
 * then resume) is in the answer of a GET /v1/nodes (and /v1/nodes/{name}) sent after it, although
 * the list was read just before; through the internal executor a repeated read with nothing
 * changed is answered from the kept list (counted as `unchanged` in
 * scheduler_rest_revalidated_lists_total{list="nodes"}).
 * It drains the cluster's only node, so it runs alone (scripts/test.sh).
 */
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { modes, startGateway, type Gateway } from '../support/gateway.js';
import { availableExecutors } from '../support/executors.js';
import { parsePrometheus, sample } from '../support/prometheus.js';

const rows = modes().filter((m) => availableExecutors().includes(m.executor));
const scontrol = (...args: string[]) => execFileSync('scontrol', args, { encoding: 'utf8' });
const nodeName = () => scontrol('show', 'node', '-o').match(/^NodeName=(\S+)/)![1]!;

let drained: string | undefined;
afterAll(() => {
  // Whatever happened, the node goes back to work.
  if (drained) scontrol('update', `nodename=${drained}`, 'state=resume');
});

describe.each(rows)('GET /v1/nodes after a change to the node: --executor=$executor --application=$application', ({ executor, application }) => {
  let gateway: Gateway;
  beforeAll(async () => { gateway = await startGateway([`--executor=${executor}`, `--application=${application}`, '--parallel=2']); });
  afterAll(async () => { await gateway?.stop(); });

  const node = async (name: string) => {
    const res = await request(gateway.url).get('/v1/nodes').expect(200);
    return res.body.nodes.find((n: { name: string }) => n.name === name);
  };

  it('shows a drain and its reason, then the resume, in the next read', async () => {
    const name = nodeName();
    const reason = `srtest-${executor}-${application}-${process.pid}`;
    expect((await node(name)).reason).not.toBe(reason); // read (and kept) before the change
    drained = name;
    scontrol('update', `nodename=${name}`, 'state=drain', `reason=${reason}`);
    const after = await node(name);
    expect(after.state_flags).toContain('DRAIN');
    expect(after.reason).toBe(reason);
    expect((await request(gateway.url).get(`/v1/nodes/${name}`).expect(200)).body).toEqual(after);
    scontrol('update', `nodename=${name}`, 'state=resume');
    drained = undefined;
    const resumed = await node(name);
    expect(resumed.state_flags).not.toContain('DRAIN');
    expect(resumed.reason).toBeNull();
    expect((await request(gateway.url).get(`/v1/nodes/${name}`).expect(200)).body.reason).toBeNull();
    const missing = await request(gateway.url).get('/v1/nodes/no-such-node-srtest').expect(404);
    expect(missing.body.error.code).toBe('node_not_found');
  });

  if (executor === 'internal') {
    it('answers a repeated read from the kept list while slurmctld reports no change', async () => {
      const scrape = async () => parsePrometheus((await request(gateway.url).get('/metrics')).text);
      const count = (families: ReturnType<typeof parsePrometheus>, outcome: string) => sample(families, 'scheduler_rest_revalidated_lists_total', { outcome, list: 'nodes' });
      let previous = (await request(gateway.url).get('/v1/nodes').expect(200)).text;
      const before = await scrape();
      // slurmctld's last_update has a one-second grain, and the node itself changes now and then
      // (slurmd's pings, the resume above): "unchanged" comes once a second passes without either.
      let unchanged = 0;
      for (let i = 0; i < 40 && unchanged === 0; i++) {
        const again = (await request(gateway.url).get('/v1/nodes').expect(200)).text;
        unchanged = count(await scrape(), 'unchanged') - count(before, 'unchanged');
        if (unchanged > 0) expect(again).toBe(previous); // the kept list, the same bytes
        else await new Promise((resolve) => setTimeout(resolve, 250));
        previous = again;
      }
      expect(unchanged).toBe(1);
    });
  }
});
