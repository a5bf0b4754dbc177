/**
 * Server load: 1,000 logins at once across two instances (two processes of
 * bench/fixtures/server-instance.ts) sharing one redis-server, against the Pocket emulator in
 * auto-approve mode. Each login is begun on one instance and completed on the other. The
 * machine path (LoginService) and the bare path (the same HTTP calls with axios and the same
 * Redis commands with ioredis, no machine) run alternately in the same run. After each round
 * every login is checked: its token stored exactly once, its callback refused when replayed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';
import { loadavg } from 'node:os';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../adapters/redis-client.js';
import { startPocketEmulator } from '../src/pocket/emulator/index.js';
import { createPocketProtocol } from '../src/pocket/protocol.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { median, report, since, type Figure } from './lib/figures.js';

const LOGINS = Number(process.env.SERVER_LOAD_LOGINS ?? 1_000);
const ROUNDS = Number(process.env.SERVER_LOAD_ROUNDS ?? 5);
/**
 * Untimed logins per path first. The machine path runs far more JavaScript than the bare one, and
 * V8 needs more calls to optimise it: after 200 warm-up logins its first timed round still cost
 * about twice the CPU per login of its third. A long-running host sees the warm figures.
 */
const WARMUP = Number(process.env.SERVER_LOAD_WARMUP ?? 2 * LOGINS);
const MEMORY_SAMPLE = 200;
/** m: the machine (LoginService); b: bare; p: the protocol and Redis adapters without the machine (profiling only). */
type Path = 'm' | 'b' | 'p';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });
/** The person's browser: a new connection per page, as browsers of different people would. */
const browserAgent = new Agent({ keepAlive: false, maxSockets: 256 });

function get(url: string, via = agent): Promise<{ status: number; location: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: via, method: 'GET' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, location: response.headers.location ?? null, body }),
      );
    });
    req.on('error', (error) => reject(Object.assign(error, { url: url.replace(/\?.*/, '') })));
    req.end();
  });
}

interface Instance {
  url: string;
  child: ChildProcess;
}

async function startInstance(env: Record<string, string>): Promise<Instance> {
  // SERVER_LOAD_PROFILE_DIR: each instance writes a V8 CPU profile there when it exits.
  const profile = process.env.SERVER_LOAD_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SERVER_LOAD_PROFILE_DIR}`]
    : [];
  // SERVER_LOAD_NODE_ARGS: Node flags for both instances alike (a host's V8 heap settings, say).
  const nodeArgs = process.env.SERVER_LOAD_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(
    process.execPath,
    [...profile, ...nodeArgs, '--import=tsx', 'bench/fixtures/server-instance.ts'],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) =>
      resolve((JSON.parse(line) as { listening: number }).listening),
    );
    child.once('exit', (code) => reject(new Error(`instance exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

interface Login {
  latencyMs: number;
  ok: boolean;
  callback: string;
  /** The error code an instance answered with, when it did not succeed. */
  error?: string;
}

/** One person's login: begin on `first`, approve at the emulator, complete on `second`. */
async function login(path: Path, user: string, first: Instance, second: Instance): Promise<Login> {
  const started = performance.now();
  const begun = await get(`${first.url}/${path}/begin?user=${encodeURIComponent(user)}`);
  if (begun.status !== 200)
    return { latencyMs: since(started), ok: false, callback: '', error: `begin ${errorOf(begun.body)}` };
  const page = await get((JSON.parse(begun.body) as { url: string }).url, browserAgent);
  const query = new URL(page.location ?? 'http://invalid/').search;
  const callback = `/${path}/callback${query}`;
  const done = await get(`${second.url}${callback}`);
  const ok = done.status === 200 && (JSON.parse(done.body) as { userId: string }).userId === user;
  return { latencyMs: since(started), ok, callback, ...(ok ? {} : { error: `complete ${errorOf(done.body)}` }) };
}

function errorOf(body: string): string {
  try {
    return (JSON.parse(body) as { error?: string }).error ?? 'unknown';
  } catch {
    return 'unreadable';
  }
}

interface Round {
  loginsPerSecond: number;
  p50: number;
  p99: number;
  failed: number;
  lost: number;
  duplicated: number;
  errors: Record<string, number>;
  redisCallsPerLogin: number;
  commands: Record<string, number>;
  /** CPU time (user + system) the two instances spent, per login. */
  instanceCpuMsPerLogin: number;
  /** Of that, the time in garbage collection (pauses, as V8 reports them), per login. */
  instanceGcMsPerLogin: number;
  /** CPU time of this process (the people's browsers and the Pocket emulator), per login. */
  driverCpuMsPerLogin: number;
}

/** CPU time (user + system) of the instances so far, and the part of it spent in GC (ms). */
async function instancesCpuMs(instances: Instance[]): Promise<{ cpu: number; gc: number }> {
  const used = await Promise.all(
    instances.map(
      async (instance) => JSON.parse((await get(`${instance.url}/cpu`)).body) as { ms: number; gcMs: number },
    ),
  );
  return { cpu: used.reduce((a, b) => a + b.ms, 0), gc: used.reduce((a, b) => a + b.gcMs, 0) };
}

/** Calls per command so far, from INFO commandstats ("cmdstat_set:calls=12,..."). */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  return new Map([...info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)].map((match) => [match[1]!, Number(match[2])]));
}

/** Commands per login between two INFO readings, by command, without the INFO itself. */
function perLogin(before: Map<string, number>, after: Map<string, number>, logins: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [command, calls] of after) {
    const diff = calls - (before.get(command) ?? 0) - (command === 'info' ? 1 : 0);
    if (diff > 0) out[command] = Math.round((diff / logins) * 100) / 100;
  }
  return out;
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function serverLoad(): Promise<Figure[]> {
  const redisServer = await startRedisServer();
  const emulator = await startPocketEmulator({
    approval: 'auto-approve',
    rateLimits: { userLimit: 1e9, keyLimit: 1e9 },
  });
  const redis = await createRedisClient({ url: redisServer.url, commandTimeoutMs: 10_000 });
  const env = {
    REDIS_URL: redisServer.url,
    POCKET_BASE_URL: emulator.url,
    POCKET_CONSUMER_KEY: emulator.consumerKey,
    REDIRECT_URI: 'http://127.0.0.1:9/callback',
  };
  const instances = await Promise.all([startInstance(env), startInstance(env)]);
  const storageKey = createPocketProtocol({ consumerKey: emulator.consumerKey, baseUrl: emulator.url }).storageKey;
  let batch = 0;

  async function round(path: Path, count: number): Promise<Round> {
    const users = Array.from({ length: count }, (_, i) => `u${batch}-${i}`);
    batch++;
    const callsBefore = await commandCalls(redis);
    const cpuBefore = await instancesCpuMs(instances);
    const driverBefore = process.cpuUsage();
    const started = performance.now();
    const results = await Promise.all(
      users.map((user, i) => login(path, user, instances[i % 2]!, instances[(i + 1) % 2]!)),
    );
    const elapsed = since(started);
    const driver = process.cpuUsage(driverBefore);
    const cpuAfter = await instancesCpuMs(instances);
    const commands = perLogin(callsBefore, await commandCalls(redis), count);
    // Checked after the clock stopped: each login's token is there, and its callback, replayed on
    // the instance that began it, finds nothing.
    const stored = await Promise.all(users.map((user) => redis.exists(`${path}:token:{${storageKey}|user:${user}}`)));
    const replays = await Promise.all(
      results.map((r, i) => (r.ok ? get(`${instances[i % 2]!.url}${r.callback}`) : null)),
    );
    return {
      loginsPerSecond: count / (elapsed / 1000),
      p50: percentile(
        results.map((r) => r.latencyMs),
        50,
      ),
      p99: percentile(
        results.map((r) => r.latencyMs),
        99,
      ),
      failed: results.filter((r) => !r.ok).length,
      errors: countBy(results.flatMap((r) => (r.error ? [r.error] : []))),
      // Reported as done, yet no token was stored for the user.
      lost: results.filter((r, i) => r.ok && stored[i] === 0).length,
      duplicated: replays.filter((r) => r !== null && r.status === 200).length,
      // GET and DEL inside the release script are counted by Redis but are no round trip.
      redisCallsPerLogin: Object.values(commands).reduce((a, b) => a + b, 0) - 2 * (commands.evalsha ?? 0),
      commands,
      instanceCpuMsPerLogin: (cpuAfter.cpu - cpuBefore.cpu) / count,
      instanceGcMsPerLogin: (cpuAfter.gc - cpuBefore.gc) / count,
      driverCpuMsPerLogin: (driver.user + driver.system) / 1000 / count,
    };
  }

  /** Bytes Redis uses per flow kept while the person is away (MEMORY USAGE of each flow key). */
  async function flowMemory(path: Path): Promise<number> {
    const sizes: number[] = [];
    for (let i = 0; i < MEMORY_SAMPLE; i++) {
      const begun = await get(`${instances[i % 2]!.url}/${path}/begin?user=mem-${path}-${i}`);
      const { state } = JSON.parse(begun.body) as { state: string };
      const key = `${path}:flow:{${state}}`;
      sizes.push(Number(await redis.memory('USAGE', key)));
      await redis.del(key);
    }
    return median(sizes);
  }

  // Other work on the machine slows both paths, but not alike (the machine path retries requests
  // that time out): the load average is printed with the figures.
  const load = () =>
    loadavg()
      .map((n) => n.toFixed(1))
      .join(', ');
  const loadBefore = load();
  // SERVER_LOAD_ONLY=m (or b, p, or several: "m,p"): those paths alone, round by round, for a CPU
  // profile of one path or to split the machine's cost from its adapters' (no figures).
  const only = process.env.SERVER_LOAD_ONLY?.split(',') as Path[] | undefined;
  try {
    if (only !== undefined) {
      for (let done = 0; done < WARMUP; done += LOGINS)
        for (const path of only) await round(path, Math.min(LOGINS, WARMUP - done));
      for (let i = 0; i < ROUNDS; i++) {
        for (const path of only) {
          const r = await round(path, LOGINS);
          console.log(
            `  ${path} round ${i + 1}: ${r.loginsPerSecond.toFixed(0)}/s p50 ${r.p50.toFixed(0)} ms, cpu ${r.instanceCpuMsPerLogin.toFixed(2)} ms/login (gc ${r.instanceGcMsPerLogin.toFixed(2)}, driver ${r.driverCpuMsPerLogin.toFixed(2)}), failed ${r.failed} ${JSON.stringify(r.errors)}, lost ${r.lost}, duplicated ${r.duplicated}`,
          );
        }
      }
      return [];
    }
    // In rounds of LOGINS at once, like the timed rounds.
    for (let done = 0; done < WARMUP; done += LOGINS) {
      await round('m', Math.min(LOGINS, WARMUP - done));
      await round('b', Math.min(LOGINS, WARMUP - done));
    }
    const machine: Round[] = [];
    const bare: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate which goes first, so drift in the machine's load hits both alike.
      if (i % 2 === 0) machine.push(await round('m', LOGINS)), bare.push(await round('b', LOGINS));
      else bare.push(await round('b', LOGINS)), machine.push(await round('m', LOGINS));
      const [m, b] = [machine.at(-1)!, bare.at(-1)!];
      const line = (r: Round) =>
        `${r.loginsPerSecond.toFixed(0)}/s p50 ${r.p50.toFixed(0)} ms p99 ${r.p99.toFixed(0)} ms, cpu ${r.instanceCpuMsPerLogin.toFixed(2)} ms/login (gc ${r.instanceGcMsPerLogin.toFixed(2)}, driver ${r.driverCpuMsPerLogin.toFixed(2)}), failed ${r.failed} ${JSON.stringify(r.errors)}, lost ${r.lost}, duplicated ${r.duplicated}`;
      console.log(`  round ${i + 1}: machine ${line(m)}; bare ${line(b)}`);
    }
    const memoryMachine = await flowMemory('m');
    const memoryBare = await flowMemory('b');
    const pick = (rounds: Round[], key: Exclude<keyof Round, 'errors' | 'commands'>) =>
      median(rounds.map((r) => r[key]));
    const all = [...machine, ...bare];
    const lostOrDuplicated = all.reduce((sum, r) => sum + r.lost + r.duplicated, 0);
    const failedMachine = machine.reduce((sum, r) => sum + r.failed, 0);
    const failedBare = bare.reduce((sum, r) => sum + r.failed, 0);
    const errors = countBy(
      all.flatMap((r) => Object.entries(r.errors).flatMap(([code, n]) => Array<string>(n).fill(code))),
    );
    const loadAfter = load();
    console.log(`  load average (1, 5, 15 min): ${loadBefore} before; ${loadAfter} after`);
    const how = `Load average ${loadBefore} before, ${loadAfter} after (2 CPUs). ${LOGINS} logins started at once per round, begun on one of 2 instance processes and completed on the other, one redis-server, the Pocket emulator (auto-approve) in the driver process; ${ROUNDS} rounds per path, alternating, after ${WARMUP} warm-up logins each`;
    return [
      {
        label: `server logins/s (${LOGINS} concurrent, 2 instances)`,
        value: pick(machine, 'loginsPerSecond'),
        unit: 'logins/s',
        runs: ROUNDS,
        statistic: 'median',
        baseline: { label: 'bare axios + ioredis', value: pick(bare, 'loginsPerSecond') },
        target: { kind: 'min', ratio: 0.8 },
        note: `${how}. Bare: the same 3 HTTP calls with one axios instance and the same Redis commands (SET NX PX, GETDEL, lock SET NX PX, SET, EVALSHA) by hand.`,
        cause: 'See the server analysis below.',
      },
      {
        label: 'server instance CPU per login',
        value: pick(machine, 'instanceCpuMsPerLogin'),
        unit: 'ms',
        runs: ROUNDS,
        statistic: 'median',
        baseline: { label: 'bare', value: pick(bare, 'instanceCpuMsPerLogin') },
        note: 'User + system CPU of both instance processes over a round (process.cpuUsage), divided by its logins: the cost of a login to the host, whatever else shares the machine.',
      },
      {
        label: 'server login latency p50',
        value: pick(machine, 'p50'),
        unit: 'ms',
        runs: ROUNDS,
        statistic: 'median',
        baseline: { label: 'bare', value: pick(bare, 'p50') },
        note: 'begin -> authorize page -> complete, per login, with all logins of the round in flight.',
      },
      {
        label: 'server login latency p99',
        value: pick(machine, 'p99'),
        unit: 'ms',
        runs: ROUNDS,
        statistic: 'median',
        baseline: { label: 'bare', value: pick(bare, 'p99') },
      },
      {
        label: 'server logins lost or duplicated',
        value: lostOrDuplicated,
        unit: 'logins',
        runs: ROUNDS * 2,
        statistic: 'total',
        note: `Must be 0. Over ${ROUNDS * 2 * LOGINS} timed logins (both paths): lost = answered as done but no token stored for the user; duplicated = its callback, replayed on the instance that began it, accepted again.`,
      },
      {
        label: 'server logins failed (reported to the caller)',
        value: failedMachine,
        unit: 'logins',
        runs: ROUNDS,
        statistic: 'total',
        baseline: { label: 'bare', value: failedBare },
        note: `A login answered with an error, which the person sees and retries; nothing is stored. Errors: ${JSON.stringify(errors)}.`,
      },
      {
        label: 'Redis round trips per login',
        value: pick(machine, 'redisCallsPerLogin'),
        unit: 'round trips',
        runs: ROUNDS,
        statistic: 'median',
        baseline: { label: 'bare', value: pick(bare, 'redisCallsPerLogin') },
        note: `From INFO commandstats around each round, less the GET and DEL that the lock's release script runs inside Redis. Commands per login, machine: ${JSON.stringify(machine.at(-1)!.commands)}; bare: ${JSON.stringify(bare.at(-1)!.commands)}. Under load ioredis sends the commands of concurrent logins in one write (auto-pipelining): a login still waits for each reply, but the instance makes fewer writes.`,
      },
      {
        label: 'Redis memory per in-flight flow',
        value: memoryMachine,
        unit: 'bytes',
        runs: MEMORY_SAMPLE,
        statistic: 'median',
        baseline: { label: 'bare (userId, state, request token, redirect URI)', value: memoryBare },
        note: "MEMORY USAGE of the flow key right after begin: the machine's persisted snapshot at awaitingUser plus the user id, against the bare path's four fields.",
      },
    ];
  } finally {
    await Promise.all(
      instances.map(
        (instance) => new Promise((resolve) => (instance.child.once('exit', resolve), instance.child.kill('SIGTERM'))),
      ),
    );
    agent.destroy();
    browserAgent.destroy();
    redis.disconnect();
    await emulator.close();
    await redisServer.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await serverLoad();
  if (figures.length > 0) report('server-load', figures);
}
