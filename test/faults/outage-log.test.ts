/**
 * #13: a controller outage is logged once when it starts and once when it ends, not per request.
 * slurmctld is stopped for real (SIGTERM: it saves its state and exits), the gateway is asked while
 * it is down (503 scheduler_unavailable each time), then the cluster is brought up again.
 */
import request from 'supertest';
import { daemonPid, restoreCluster, signalDaemon, sleep } from './support/cluster.js';
import { startGateway, type Gateway } from '../support/gateway.js';

interface Line { level: number; msg: string; daemon?: string; code?: string; failed_requests?: number }
const lines = (gateway: Gateway): Line[] => gateway.logs.flatMap((l) => { try { return [JSON.parse(l) as Line]; } catch { return []; } });

describe.each([['external', 'coroutine'], ['internal', 'thread']])('faults: slurmctld down and up again, in the log (%s:%s)', (executor, application) => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.stop();
    await restoreCluster();
  });

  test('one warn line when slurmctld becomes unreachable, debug while it stays so, one warn line when it answers again', async () => {
    gateway = await startGateway([`--executor=${executor}`, `--application=${application}`, '--parallel=2', '--timeout=25', '--log-level=debug', '--no-coalesce']);
    await request(gateway.url).get('/v1/partitions').expect(200);
    signalDaemon('slurmctld', 'SIGTERM');
    for (let waited = 0; daemonPid('slurmctld') !== undefined; waited += 100) {
      if (waited > 30_000) throw new Error('slurmctld did not stop in 30 s');
      await sleep(100);
    }
    // Each takes Slurm's own connect retries (about 9 s here) to fail: two are enough.
    for (let i = 0; i < 2; i++) {
      const res = await request(gateway.url).get('/v1/partitions');
      expect([res.status, res.body.error?.code]).toEqual([503, 'scheduler_unavailable']);
    }
    await restoreCluster();
    await request(gateway.url).get('/v1/partitions').expect(200);
    await request(gateway.url).get('/v1/partitions').expect(200);
    // The lines were written before the answers; wait until the pipe has delivered the last one.
    for (let waited = 0; !lines(gateway).some((l) => l.msg === 'slurmctld answers again') && waited < 10_000; waited += 50) await sleep(50);
    const outage = lines(gateway).filter((l) => l.daemon === 'slurmctld');
    expect(outage.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([expect.stringContaining('slurmctld is unreachable'), 'slurmctld answers again']);
    expect(outage.filter((l) => l.level === 20)).toHaveLength(1);
    expect(outage.find((l) => l.msg === 'slurmctld answers again')!.failed_requests).toBe(2);
    expect(lines(gateway).filter((l) => l.level >= 50)).toEqual([]);
  });
});
