import { expect } from '@open-wc/testing';
import type { StatusDetail } from '../../src/client/types.js';
import { clientOn, FakeClock } from './fake-clock.js';
import { cleanup, itIn, startServer, startSessionServer, waitUntil } from './helpers.js';

const client = clientOn;

const last = (s: StatusDetail[]) => s.at(-1)!;

/** A client on a fake clock, connected to `server` and open. */
async function openOn(server: { url: string }, attrs: Parameters<typeof client>[2] = {}) {
  const clock = new FakeClock();
  const made = client(server.url, clock, attrs);
  made.c.connect();
  await waitUntil(() => made.c.status === 'open');
  return { clock, ...made };
}

/** The same, after the server dropped the socket: it waits for its first attempt. */
async function waitingAfterDrop(attrs: Parameters<typeof client>[2]) {
  const server = await startServer();
  const made = await openOn(server, attrs);
  await server.drop();
  await waitUntil(() => last(made.statuses).nextAttemptAt !== null, 'no attempt scheduled');
  return { server, ...made };
}

describe('network and page signals', () => {
  afterEach(cleanup);

  it('attempts at once on the Page Lifecycle resume event while waiting', async () => {
    const { server, clock, c } = await waitingAfterDrop({ delays: '60000', jitter: '0' });
    clock.document.dispatchEvent(new Event('resume'));
    await waitUntil(() => c.status === 'open', 'resume did not reconnect');
    expect((await server.stats()).connections).to.equal(2);
    c.dispose();
  });

  it('checks a socket that claims to be open with a quick ping when the page becomes visible', async () => {
    const server = await startSessionServer();
    const { clock, c, statuses } = await openOn(server, { protocol: 'session', delays: '100', jitter: '0' });
    // A healthy socket answers: nothing happens.
    clock.document.dispatchEvent(new Event('visibilitychange'));
    await waitUntil(() => !clock.pending().includes(3000), 'pong never came');
    expect(c.status).to.equal('open');
    // A dead one (the laptop slept, the NAT forgot us) does not: reconnect after 3 s, not after the 25 s heartbeat.
    await server.stall();
    clock.document.dispatchEvent(new Event('visibilitychange'));
    expect(clock.pending()).to.include(3000);
    clock.tick(3000);
    expect(last(statuses).status).to.equal('reconnecting');
    expect(last(statuses).cause).to.equal('heartbeat');
    c.dispose();
  });

  it('going offline while open checks the socket with a quick ping; a dead one is an outage caused by offline', async () => {
    const server = await startSessionServer();
    const { clock, c, statuses, recovered } = await openOn(server, { protocol: 'session', delays: '100' });
    await server.stall();
    clock.online = false;
    clock.window.dispatchEvent(new Event('offline'));
    expect(clock.pending()).to.include(3000);
    clock.tick(3000);
    expect([last(statuses).status, last(statuses).cause]).to.deep.equal(['reconnecting', 'offline']);
    await server.restart();
    clock.now += 2000;
    clock.online = true;
    clock.window.dispatchEvent(new Event('online'));
    await waitUntil(() => c.status === 'open');
    // The outage starts when the probe gives up on the socket, 2 s before the network came back.
    expect(recovered).to.deep.equal([{ outageMs: 2000, cause: 'offline', attempts: 1, resumed: true, code: null }]);
    c.dispose();
  });

  it('in session mode the back-forward cache round trip resumes the same session', async () => {
    const server = await startSessionServer();
    const { clock, c, sessions } = await openOn(server, { protocol: 'session' });
    const sid = c.sessionId;
    clock.window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    await waitUntil(async () => (await server.stats()).live === 0, 'socket not closed for the cache');
    clock.window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    await waitUntil(() => c.status === 'open' && sessions.length === 2, 'did not resume on pageshow');
    expect([sessions[1]!.resumed, sessions[1]!.sessionId]).to.deep.equal([true, sid]);
    c.dispose();
  });

  it('closes cleanly for the back-forward cache and resumes on pageshow', async () => {
    const server = await startServer();
    const { clock, c, statuses } = await openOn(server);
    const seen = statuses.length;
    clock.window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    await waitUntil(async () => (await server.stats()).live === 0, 'socket not closed for the cache');
    expect(statuses.length, 'no reconnect or status noise while cached').to.equal(seen);
    expect(clock.timers.size).to.equal(0);
    clock.window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    await waitUntil(() => c.status === 'open' && statuses.length > seen, 'did not reopen on pageshow');
    expect((await server.stats()).connections).to.equal(2);
    c.dispose();
  });

  it('does not reconnect or report an outage while the page unloads', async () => {
    const server = await startServer();
    const { clock, c, statuses } = await openOn(server, { delays: '10', jitter: '0' });
    clock.window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
    await server.drop();
    await new Promise((r) => setTimeout(r, 100));
    expect(last(statuses).status).to.equal('open');
    expect(clock.timers.size).to.equal(0);
    c.dispose();
  });

  it('with pause-hidden spends no attempts while hidden and attempts when visible', async () => {
    const server = await startServer();
    const { clock, c, statuses } = await openOn(server, { delays: '1000', jitter: '0', pauseHidden: true });
    await server.stop();
    await waitUntil(() => last(statuses).nextAttemptAt !== null);
    clock.hidden = true;
    clock.document.dispatchEvent(new Event('visibilitychange'));
    expect(last(statuses).cause).to.equal('hidden');
    expect(clock.timers.size).to.equal(0);
    clock.tick(600_000);
    expect(last(statuses).attempt).to.equal(1);
    await server.restart();
    clock.hidden = false;
    clock.document.dispatchEvent(new Event('visibilitychange'));
    await waitUntil(() => c.status === 'open');
    c.dispose();
  });

  for (const [code, cause] of [
    [4403, 'auth'],
    [1008, 'policy'],
  ] as const) {
    it(`goes to failed at once on close ${code}`, async () => {
      const server = await startServer();
      const { clock, c, statuses } = await openOn(server);
      await server.close(code, 'go away');
      await waitUntil(() => c.status === 'failed');
      expect([last(statuses).cause, last(statuses).code, last(statuses).reason]).to.deep.equal([
        cause,
        code,
        'go away',
      ]);
      expect(clock.timers.size).to.equal(0);
    });
  }

  it('answers a close 4401 with one attempt at once, on no timer', async () => {
    const server = await startServer();
    const { clock, c, statuses } = await openOn(server, { delays: '60000' });
    await server.close(4401, 'expired');
    await waitUntil(() => (c.status as string) === 'open' && statuses.length > 2, 'not open again');
    expect((await server.stats()).connections).to.equal(2);
    expect(statuses.every((s) => s.nextAttemptAt === null)).to.equal(true);
    expect(clock.timers.size).to.equal(0);
    c.dispose();
  });

  it('reconnects on the schedule after a server close 1000 or 1001', async () => {
    const server = await startServer();
    const { clock, c, statuses } = await openOn(server, { delays: '700', jitter: '0' });
    await server.close(1001, 'bye');
    await waitUntil(() => last(statuses).nextAttemptAt !== null);
    expect([last(statuses).cause, last(statuses).code, last(statuses).delayMs]).to.deep.equal([
      'server-close',
      1001,
      700,
    ]);
    clock.tick(700);
    await waitUntil(() => c.status === 'open');
    c.dispose();
  });

  it('goes to closed when the server ends the session (4000)', async () => {
    const server = await startServer();
    const { clock, c } = await openOn(server);
    await server.close(4000, 'session closed');
    await waitUntil(() => c.status === 'closed');
    expect(clock.timers.size).to.equal(0);
  });

  // 4012/4013 reach the page in every engine; WebKitGTK hands 1012/1013 over as 1006 and drops the reason.
  for (const code of [4012, 4013, 1012, 1013]) {
    const test = code < 4000 ? itIn.bind(null, ['chromium', 'firefox'], 'WebKitGTK turns 1012/1013 into 1006') : it;
    test(`honours the retry hint of a ${code} close, spread over its window`, async () => {
      const server = await startServer();
      const clock = new FakeClock();
      clock.random = 0.25;
      const { c, statuses, recovered } = client(server.url, clock, { delays: '100', jitter: '0' });
      c.connect();
      await waitUntil(() => c.status === 'open');
      await server.close(code, 'retry-after=5000;spread=2000');
      await waitUntil(() => last(statuses).nextAttemptAt !== null);
      expect(last(statuses).delayMs).to.equal(5500);
      clock.tick(5499);
      expect(c.status).to.equal('reconnecting');
      clock.tick(1);
      await waitUntil(() => c.status === 'open');
      expect(recovered[0]).to.include({ cause: 'server-close', code, attempts: 1, resumed: null });
      c.dispose();
    });
  }

  it('reports "offline" as the cause of an outage that began while the browser was offline', async () => {
    const server = await startServer();
    const { clock, c, statuses, recovered } = await openOn(server, { delays: '1000', jitter: '0' });
    clock.online = false;
    clock.window.dispatchEvent(new Event('offline'));
    await server.drop();
    await waitUntil(() => c.status === 'reconnecting');
    expect([last(statuses).cause, last(statuses).nextAttemptAt]).to.deep.equal(['offline', null]);
    clock.now += 5000;
    clock.online = true;
    clock.window.dispatchEvent(new Event('online'));
    await waitUntil(() => c.status === 'open');
    expect(recovered).to.deep.equal([{ outageMs: 5000, cause: 'offline', attempts: 1, resumed: null, code: 1006 }]);
    c.dispose();
  });

  it('a wake-up does not cut short a server retry hint, online or visible', async () => {
    const server = await startServer();
    const { clock, c, statuses } = await openOn(server, { delays: '100', jitter: '0' });
    await server.close(4012, 'retry-after=5000;spread=0');
    await waitUntil(() => last(statuses).nextAttemptAt !== null);
    clock.document.dispatchEvent(new Event('visibilitychange'));
    clock.online = false;
    clock.window.dispatchEvent(new Event('offline'));
    expect(last(statuses).cause).to.equal('offline');
    clock.tick(1000);
    clock.online = true;
    clock.window.dispatchEvent(new Event('online'));
    expect([c.status, last(statuses).delayMs]).to.deep.equal(['reconnecting', 4000]);
    expect((await server.stats()).connections).to.equal(1);
    clock.tick(4000);
    await waitUntil(() => c.status === 'open');
    expect((await server.stats()).connections).to.equal(2);
    c.dispose();
  });

  it('a drain that outlasts max-attempts sends the client away without using up its attempts', async () => {
    const server = await startSessionServer();
    const { clock, c, statuses } = await openOn(server, { protocol: 'session', delays: '100', maxAttempts: '2' });
    await server.drain(1000, 0);
    for (let round = 1; round <= 4; round++) {
      // Each return is sent away again before its welcome: the socket never counts as open.
      await waitUntil(() => last(statuses).nextAttemptAt !== null, `round ${round}: no wait scheduled`);
      expect([last(statuses).status, last(statuses).code, last(statuses).delayMs]).to.deep.equal([
        'reconnecting',
        1012,
        1000,
      ]);
      clock.tick(1000);
      await waitUntil(() => last(statuses).nextAttemptAt === null, `round ${round}: no attempt`);
    }
    await server.endDrain();
    await waitUntil(() => c.status === 'open' || last(statuses).nextAttemptAt !== null);
    clock.tick(1000);
    await waitUntil(() => c.status === 'open', 'did not come back after the drain');
    expect(statuses.map((s) => s.status)).not.to.include('failed');
    c.dispose();
  });

  it('an attempt that dies while offline does not use up the last attempt: it pauses', async () => {
    const server = await startServer();
    const { clock, c, statuses } = await openOn(server, { delays: '1000', jitter: '0', maxAttempts: '1' });
    await server.stop();
    await waitUntil(() => last(statuses).nextAttemptAt !== null);
    clock.tick(1000);
    // The last attempt is under way when the network goes: its failure is the network's, not the server's.
    clock.online = false;
    await waitUntil(() => last(statuses).cause === 'offline', 'did not pause offline');
    expect(statuses.map((s) => s.status)).not.to.include('failed');
    await server.restart();
    clock.online = true;
    clock.window.dispatchEvent(new Event('online'));
    await waitUntil(() => c.status === 'open');
    c.dispose();
  });

  it('a clock set back while waiting does not postpone the attempt', async () => {
    const { clock, c } = await waitingAfterDrop({ delays: '5000', jitter: '0' });
    clock.now -= 3_600_000;
    clock.fire(5000);
    await waitUntil(() => c.status === 'open', 'waited for the clock to catch up');
    c.dispose();
  });

  it('a clock set back does not push the heartbeat past one interval', async () => {
    const server = await startSessionServer();
    const { clock, c } = await openOn(server, { protocol: 'session', heartbeatInterval: '15000' });
    clock.now -= 3_600_000;
    clock.fire(15000);
    expect(Math.max(...clock.pending())).to.be.at.most(15000);
    c.dispose();
  });

  it('pageshow from the cache attempts at once when the page went into it while waiting', async () => {
    const { clock, c } = await waitingAfterDrop({ delays: '60000', jitter: '0' });
    clock.window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    clock.window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    await waitUntil(() => c.status === 'open', 'waited out the 60 s delay');
    c.dispose();
  });

  it('reports the outage: duration from the clock, cause and attempts used', async () => {
    const server = await startServer();
    const { clock, c, statuses, recovered } = await openOn(server, { delays: '1000', jitter: '0' });
    await server.stop();
    for (let i = 1; i <= 3; i++) {
      await waitUntil(() => last(statuses).nextAttemptAt !== null && last(statuses).attempt === i);
      if (i === 3) await server.restart();
      clock.tick(1000);
    }
    await waitUntil(() => c.status === 'open');
    expect(recovered).to.deep.equal([{ outageMs: 3000, cause: 'network', attempts: 3, resumed: null, code: 1006 }]);
    c.dispose();
  });
});
