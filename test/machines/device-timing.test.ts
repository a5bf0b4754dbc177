/**
 * Device polling keeps to the server's timing in every form RFC 8628 sections 3.2 and 3.5 give:
 * the interval, slow_down (+5 s, or the new interval the server names if longer), Retry-After
 * on a pending or slow_down answer, and expires_in as the deadline.
 */
import test from 'ava';
import { flush, START_DEVICE, startHarness, FAST_CONFIG } from '../helpers/machine-harness.js';

type Harness = ReturnType<typeof startHarness>;

async function polling(start: object = { ...START_DEVICE, expiresInMs: 600_000 }): Promise<Harness> {
  const h = startHarness({ config: { ...FAST_CONFIG, mode: 'device', userTimeoutMs: 600_000 } });
  h.actor.send({ type: 'LOGIN', force: true });
  h.actor.send({ type: 'REDIRECT_READY', redirectUri: null });
  await flush();
  h.controller.pending('startAuthorization').resolve(start);
  await flush();
  return h;
}

/** Advances the clock to 1 ms before `ms`, checks no poll started, then to `ms` and checks one did. */
async function nextPollAfter(t: import('ava').ExecutionContext, h: Harness, ms: number, what: string) {
  h.clock.increment(ms - 1);
  await flush();
  t.false(h.controller.has('pollDevice'), `${what}: not before ${ms} ms`);
  h.clock.increment(1);
  await flush();
  t.true(h.controller.has('pollDevice'), `${what}: at ${ms} ms`);
}

test("slow_down with a new interval longer than +5 s uses the server's interval from then on", async (t) => {
  const h = await polling();
  h.controller.pending('pollDevice').resolve({ status: 'slow_down', intervalMs: 30_000 });
  await flush();
  await nextPollAfter(t, h, 30_000, 'after slow_down interval=30');
  h.controller.pending('pollDevice').resolve({ status: 'pending' });
  await flush();
  await nextPollAfter(t, h, 30_000, 'and it stays');
});

test('slow_down naming an interval shorter than +5 s still adds 5 s (RFC 8628 section 3.5)', async (t) => {
  const h = await polling();
  h.controller.pending('pollDevice').resolve({ status: 'slow_down', intervalMs: 1_000 });
  await flush();
  await nextPollAfter(t, h, 10_000, '5 s + 5 s');
});

test('Retry-After on a pending answer delays that one poll; the interval stays', async (t) => {
  const h = await polling();
  h.controller.pending('pollDevice').resolve({ status: 'pending', retryAfterMs: 20_000 });
  await flush();
  await nextPollAfter(t, h, 20_000, 'Retry-After 20');
  h.controller.pending('pollDevice').resolve({ status: 'pending' });
  await flush();
  await nextPollAfter(t, h, 5_000, 'back to the interval');
});

test('without an interval the wait is 5 s; expires_in ends the wait with ERR_EXPIRED', async (t) => {
  const h = await polling({ ...START_DEVICE, pollIntervalMs: 5_000, expiresInMs: 12_000 });
  h.controller.pending('pollDevice').resolve({ status: 'pending' });
  await flush();
  await nextPollAfter(t, h, 5_000, 'default interval');
  h.controller.pending('pollDevice').resolve({ status: 'pending' });
  await flush();
  h.clock.increment(5_000);
  await flush();
  if (h.controller.has('pollDevice')) h.controller.pending('pollDevice').resolve({ status: 'pending' });
  await flush();
  h.clock.increment(5_000);
  await flush();
  t.is(h.actor.getSnapshot().context.error?.code, 'ERR_EXPIRED');
});
