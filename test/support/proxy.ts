/**
 * A TCP relay in front of the real slurmctld, for the one failure a real Slurm cannot produce on
 * demand: the client dying after the controller acted on its request. Armed, it relays the next
 * REQUEST_SUBMIT_BATCH_JOB, and when slurmctld's reply arrives it kills the client process (found
 * with `ss -p` from the connection's port; the tests run as root) instead of passing the reply on.
 * Everything else is relayed unchanged.
 */
import { execFileSync } from 'node:child_process';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

/** slurm_protocol_defs.h (22.05). A message starts: u32 length, u16 version, u16 flags, u16 type. */
const REQUEST_SUBMIT_BATCH_JOB = 4003;
const TYPE_OFFSET = 8;

export interface KillingProxy {
  port: number;
  /** Kill the client of the next batch submission once slurmctld has answered it. */
  arm(): void;
  /** Pids killed so far. */
  killed: number[];
  close(): Promise<void>;
}

/**
 * The process at the client end of one connection to the relay: its local port and the relay's
 * port together. A local port alone is not enough: Linux reuses an ephemeral port for connections
 * to other destinations, and matching on it alone once killed another process on the machine (a
 * fault-suite run beside this one).
 */
function pidOnPort(port: number, relayPort: number): number | undefined {
  const out = execFileSync('ss', ['-Htnp', 'state', 'established', `( sport = :${port} and dport = :${relayPort} )`], { encoding: 'utf8' });
  const m = /pid=(\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
}

export async function killingProxy(target: number): Promise<KillingProxy> {
  const sockets = new Set<Socket>();
  let armed = false;
  const killed: number[] = [];
  const server = createServer((client) => {
    const clientPort = client.remotePort!;
    const upstream = createConnection(target, '127.0.0.1');
    for (const s of [client, upstream]) { sockets.add(s); s.on('error', () => {}); s.on('close', () => sockets.delete(s)); }
    let head = Buffer.alloc(0);
    let victim = false;
    client.on('data', (chunk: Buffer) => {
      if (head.length < TYPE_OFFSET + 2) {
        head = Buffer.concat([head, chunk]);
        if (armed && head.length >= TYPE_OFFSET + 2 && head.readUInt16BE(TYPE_OFFSET) === REQUEST_SUBMIT_BATCH_JOB) { armed = false; victim = true; }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!victim) { client.write(chunk); return; }
      const pid = pidOnPort(clientPort, (server.address() as AddressInfo).port);
      if (pid !== undefined) { killed.push(pid); process.kill(pid, 'SIGKILL'); }
      client.destroy();
      upstream.destroy();
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    arm() { armed = true; },
    killed,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}
