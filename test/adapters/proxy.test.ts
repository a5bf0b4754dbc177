/**
 * Both HTTP clients through a real proxy (Debian's tinyproxy), in a network namespace of the
 * test's own (`unshare -rn`; see fixtures/proxy-scenario.ts). The target sees the proxy's own
 * outgoing address when a request went through it, so each case proves its route; the proxy's
 * log agrees. https is tunnelled with CONNECT and verified against a CA made for the test.
 */
import test from 'ava';
import { runInNetworkNamespace } from '../helpers/network-namespace.js';

interface Outcome {
  peer?: string;
  error?: string;
  proxied: number;
}
interface Report {
  target: string;
  proxySource: string;
  connectLines: number;
  report: Record<'axios' | 'fetch', Record<string, Outcome>>;
}

const run = runInNetworkNamespace<Report>('test/adapters/fixtures/proxy-scenario.ts');

for (const client of ['axios', 'fetch'] as const) {
  test(`${client}: HTTPS_PROXY / HTTP_PROXY (either case) go through the proxy; https is a CONNECT tunnel with the CA trusted`, async (t) => {
    const { report, proxySource } = await run;
    for (const name of ['httpsViaHTTPS_PROXY', 'httpsViaLowerCase', 'httpViaHTTP_PROXY', 'httpViaLowerCase']) {
      const outcome = report[client][name]!;
      t.is(outcome.peer, proxySource, `${name}: ${outcome.error ?? ''}`);
      t.is(outcome.proxied, 1, `${name}: the proxy logged it`);
    }
  });

  test(`${client}: NO_PROXY (either case) and no variable at all go direct; loopback is never proxied`, async (t) => {
    const { report, target } = await run;
    for (const name of ['httpsNoProxy', 'httpNoProxyLowerCase', 'direct']) {
      t.is(report[client][name]!.peer, target, name);
      t.is(report[client][name]!.proxied, 0, name);
    }
    t.is(report[client]['loopbackNeverProxied']!.peer, '127.0.0.1');
    t.is(report[client]['loopbackNeverProxied']!.proxied, 0);
  });

  test(`${client}: a dead proxy is a network error naming the proxy; an untrusted certificate through the tunnel is refused`, async (t) => {
    const { report } = await run;
    t.regex(
      report[client]['deadProxy']!.error!,
      /^ERR_NETWORK: .*connection refused.*through the proxy 127\.0\.0\.1:\d+/,
    );
    t.regex(report[client]['untrustedWithoutCa']!.error!, /^ERR_NETWORK: .*certificate/);
  });
}

test('the proxy saw one CONNECT per tunnelled request', async (t) => {
  const { connectLines } = await run;
  // axios: two https requests (+1 refused for its certificate); fetch (undici tunnels http too): four (+1).
  t.is(connectLines, 8);
});
