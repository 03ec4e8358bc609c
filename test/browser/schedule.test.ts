import { expect } from '@open-wc/testing';
import type { StatusDetail } from '../../src/client/types.js';
import { clientOn, FakeClock } from './fake-clock.js';
import { cleanup, startServer, waitUntil } from './helpers.js';

const client = clientOn;

/** The wait timer (the longest pending one; the connect timeout only runs while a socket opens). */
const waiting = (s: StatusDetail[]) => s.filter((d) => d.status === 'reconnecting' && d.nextAttemptAt !== null);

describe('reconnect schedule (real refused socket, fake clock)', () => {
  afterEach(cleanup);

  it('waits 1, 2, 4, 8, 16, 32 s between the default six attempts, then fails', async () => {
    const server = await startServer();
    await server.stop();
    const clock = new FakeClock();
    const { c, statuses } = client(server.url, clock, { jitter: '0' });
    c.connect();
    const seen: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      await waitUntil(() => waiting(statuses).length === attempt, `attempt ${attempt} never scheduled`);
      const d = waiting(statuses).at(-1)!;
      expect(d.attempt).to.equal(attempt);
      expect(d.nextAttemptAt! - clock.now).to.equal(d.delayMs);
      seen.push(d.delayMs!);
      clock.tick(d.delayMs!);
    }
    await waitUntil(() => c.status === 'failed', 'never failed');
    expect(seen).to.deep.equal([1000, 2000, 4000, 8000, 16000, 32000]);
    expect(clock.timers.size, 'no timer left after failing').to.equal(0);
  });

  it('spreads each delay over ±jitter of itself', async () => {
    const server = await startServer();
    await server.stop();
    const delays: number[] = [];
    for (const r of [0, 0.999999, 0.25]) {
      const clock = new FakeClock();
      clock.random = r;
      const { c, statuses } = client(server.url, clock, { delays: '4000', jitter: '0.5' });
      c.connect();
      await waitUntil(() => waiting(statuses).length === 1);
      delays.push(waiting(statuses)[0]!.delayMs!);
      c.dispose();
    }
    expect(delays).to.deep.equal([2000, 6000, 3000]);
  });

  it('computes deadlines from the clock: an early timer re-arms, a late one attempts at once', async () => {
    const server = await startServer();
    await server.stop();
    const clock = new FakeClock();
    const { c, statuses } = client(server.url, clock, { delays: '10000', jitter: '0' });
    c.connect();
    await waitUntil(() => waiting(statuses).length === 1);
    clock.now += 4000;
    clock.fire(10000);
    expect(clock.pending(), 'early timer waits out the remaining 6 s').to.include(6000);
    expect(c.status).to.equal('reconnecting');
    // The clock jumps (a throttled background tab, a sleeping laptop): becoming visible attempts now.
    clock.now += 60_000;
    clock.document.dispatchEvent(new Event('visibilitychange'));
    expect(waiting(statuses).length).to.equal(1);
    expect(statuses.at(-1)!.nextAttemptAt, 'an attempt is in flight').to.equal(null);
    c.dispose();
  });

  it('pauses without counting attempts while offline and attempts at once when online', async () => {
    const server = await startServer();
    await server.stop();
    const clock = new FakeClock();
    const { c, statuses } = client(server.url, clock, { delays: '1000', jitter: '0', maxAttempts: '2' });
    c.connect();
    await waitUntil(() => waiting(statuses).length === 1);
    clock.online = false;
    clock.window.dispatchEvent(new Event('offline'));
    expect(statuses.at(-1)!.cause).to.equal('offline');
    expect(statuses.at(-1)!.nextAttemptAt).to.equal(null);
    expect(clock.timers.size, 'no timers while offline').to.equal(0);
    clock.tick(3_600_000);
    expect(c.status).to.equal('reconnecting');
    await server.restart();
    clock.online = true;
    clock.window.dispatchEvent(new Event('online'));
    await waitUntil(() => c.status === 'open', 'did not open after online');
    c.dispose();
  });
});

describe('manual attempts (real refused socket, fake clock)', () => {
  afterEach(cleanup);

  it('retryNow() and online spend no automatic attempt and do not move the schedule', async () => {
    const server = await startServer();
    await server.stop();
    const clock = new FakeClock();
    const { c, statuses } = client(server.url, clock, { jitter: '0', maxAttempts: '3' });
    c.connect();
    await waitUntil(() => waiting(statuses).length === 1, 'first wait never scheduled');
    const first = waiting(statuses)[0]!;
    expect([first.attempt, first.delayMs]).to.deep.equal([1, 1000]);
    clock.tick(300);
    const manual = [
      () => c.retryNow(),
      () => c.retryNow(),
      () => {
        clock.online = false;
        clock.window.dispatchEvent(new Event('offline'));
        clock.online = true;
        clock.window.dispatchEvent(new Event('online'));
      },
    ];
    for (const [i, attempt] of manual.entries()) {
      attempt();
      await waitUntil(() => waiting(statuses).length === i + 2, `manual attempt ${i + 1} never failed`);
      const d = waiting(statuses).at(-1)!;
      expect([d.attempt, d.nextAttemptAt], `after manual attempt ${i + 1}`).to.deep.equal([1, first.nextAttemptAt]);
    }
    // The automatic schedule is whole: attempts 1, 2, 3 at 0, 2 and 6 s after the first deadline, then failed.
    const schedule: [number, number][] = [];
    for (let n = 1; n <= 3; n++) {
      const d = waiting(statuses).at(-1)!;
      schedule.push([d.attempt, d.nextAttemptAt! - first.nextAttemptAt!]);
      clock.tick(d.nextAttemptAt! - clock.now);
      if (n < 3) await waitUntil(() => waiting(statuses).at(-1)!.attempt === n + 1, `attempt ${n + 1} not scheduled`);
    }
    await waitUntil(() => c.status === 'failed', 'never failed');
    expect(schedule).to.deep.equal([
      [1, 0],
      [2, 2000],
      [3, 6000],
    ]);
  });
});
