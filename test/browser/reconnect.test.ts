import { aTimeout, expect, oneEvent } from '@open-wc/testing';
import type { SessionMessageEvent, SessionStatusEvent } from '../../src/events.js';
import { executeServerCommand } from '@web/test-runner-commands';
import { cleanup, collect, mount, startServer, waitForStatus, waitUntil } from './helpers.js';

const FAST = 'delays="40" max-attempts="50" jitter="0"';

/** Records the timers armed from code whose stack matches `from` until `restore()`, and which are still pending. */
function trackTimers(from: RegExp) {
  const pending = new Set<number>();
  let created = 0;
  const realSet = window.setTimeout;
  const realClear = window.clearTimeout;
  window.setTimeout = ((fn: TimerHandler, ms?: number) => {
    const id = realSet(() => {
      pending.delete(id);
      (fn as () => void)();
    }, ms);
    if (from.test(new Error().stack ?? '')) {
      pending.add(id);
      created++;
    }
    return id;
  }) as typeof window.setTimeout;
  window.clearTimeout = ((id?: number) => {
    if (id !== undefined) pending.delete(id);
    realClear(id);
  }) as typeof window.clearTimeout;
  return {
    pending,
    created: () => created,
    restore: () => {
      window.setTimeout = realSet;
      window.clearTimeout = realClear;
    },
  };
}

describe('<reconnecting-session> plain mode', () => {
  afterEach(cleanup);

  it('opens, sends and receives through a real server', async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session url="${server.url}"></reconnecting-session>`);
    await waitForStatus(el, 'open');
    expect(el.getAttribute('status')).to.equal('open');
    const got = oneEvent(el, 'session-message');
    el.send('hello');
    const event = (await got) as SessionMessageEvent;
    expect(event.detail.data).to.equal('hello');
    expect(event.bubbles && event.composed).to.equal(true);
  });

  it('reconnects after the server drops the connection', async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    const statuses = collect<SessionStatusEvent>(el, 'session-status');
    const recovered = oneEvent(el, 'session-recovered');
    await server.drop();
    await waitUntil(() => statuses.some((e) => e.detail.status === 'reconnecting'), 'never reconnecting');
    await waitForStatus(el, 'open');
    const waiting = statuses.find((e) => e.detail.status === 'reconnecting')!.detail;
    expect(waiting.previous).to.equal('open');
    expect(waiting.attempt).to.equal(1);
    expect(waiting.cause).to.equal('network');
    expect(waiting.delayMs).to.equal(40);
    expect(waiting.nextAttemptAt).to.be.a('number');
    const report = (await recovered).detail;
    expect(report.attempts).to.equal(1);
    expect(report.resumed).to.equal(null);
    expect((await server.stats()).connections).to.equal(2);
  });

  it('retries the first connect until the server is up', async () => {
    const server = await startServer();
    await server.stop();
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'reconnecting');
    await server.restart();
    await waitForStatus(el, 'open');
  });

  it('goes to failed after max-attempts, then retryNow() opens again with a fresh cycle', async () => {
    const server = await startServer();
    await server.stop();
    const el = await mount(
      `<reconnecting-session url="${server.url}" delays="20" max-attempts="3" jitter="0"></reconnecting-session>`,
    );
    const statuses = collect<SessionStatusEvent>(el, 'session-status');
    await oneEvent(el, 'session-failed');
    expect(el.status).to.equal('failed');
    const attempts = statuses.filter((e) => e.detail.status === 'reconnecting' && e.detail.nextAttemptAt !== null);
    expect(attempts.map((e) => e.detail.attempt)).to.deep.equal([1, 2, 3]);
    await server.restart();
    el.retryNow();
    expect(el.status).to.equal('connecting');
    await waitForStatus(el, 'open');
    expect(el.statusDetail!.attempt).to.equal(0);
  });

  it('queues messages while down and delivers them in order after reconnecting', async () => {
    const server = await startServer({ echo: false });
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    el.send('before');
    await server.stop();
    await waitForStatus(el, 'reconnecting');
    for (let i = 1; i <= 5; i++) el.send(`queued ${i}`);
    el.send({ json: true });
    expect(el.queued).to.equal(6);
    await server.restart();
    await waitForStatus(el, 'open');
    await waitUntil(async () => (await server.stats()).received.length === 7, 'queued messages did not all arrive');
    expect((await server.stats()).received).to.deep.equal([
      'before',
      'queued 1',
      'queued 2',
      'queued 3',
      'queued 4',
      'queued 5',
      '{"json":true}',
    ]);
    expect(el.queued).to.equal(0);
  });

  it('sends binary data as binary', async () => {
    const server = await startServer({ echo: false });
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    el.send(new Uint8Array([1, 2, 3]));
    await waitForStatus(el, 'open');
    await waitUntil(async () => (await server.stats()).received.length === 1);
    expect((await server.stats()).received[0]).to.deep.equal({ binary: [1, 2, 3] });
  });

  it('refuses to queue past max-queue, with an error event and nothing dropped', async () => {
    const server = await startServer({ echo: false });
    await server.stop();
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST} max-queue="2"></reconnecting-session>`);
    const errors = collect<Event & { detail: { kind: string } }>(el, 'session-error');
    el.send('a');
    el.send('b');
    expect(() => el.send('c')).to.throw(/queue is full/);
    expect(errors.map((e) => e.detail.kind)).to.deep.equal(['queue-full']);
    el.setAttribute('max-queue', '10');
    el.setAttribute('max-queue-bytes', '3');
    await el.updateComplete;
    expect(() => el.send('cd')).to.throw(/3 bytes/);
    await server.restart();
    await waitUntil(async () => (await server.stats()).received.length === 2);
    expect((await server.stats()).received).to.deep.equal(['a', 'b']);
  });

  it('disconnect() closes cleanly and does not reconnect', async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    el.disconnect();
    expect(el.status).to.equal('closed');
    expect(el.statusDetail!.cause).to.equal('manual');
    await waitUntil(async () => (await server.stats()).live === 0);
    // Several backoff periods: a reconnect would have happened by now.
    await aTimeout(300);
    expect((await server.stats()).connections).to.equal(1);
    expect(el.status).to.equal('closed');
    el.connect();
    await waitForStatus(el, 'open');
  });

  it('keeps its socket when moved in the DOM', async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session url="${server.url}"></reconnecting-session>`);
    await waitForStatus(el, 'open');
    const other = document.createElement('section');
    document.body.append(other);
    other.append(el);
    await aTimeout(100);
    expect(el.status).to.equal('open');
    const stats = await server.stats();
    expect([stats.connections, stats.live]).to.deep.equal([1, 1]);
    other.remove();
  });

  it('leaves no socket and no timer behind when removed', async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session url="${server.url}" delays="200" jitter="0"></reconnecting-session>`);
    await waitForStatus(el, 'open');
    await server.drop();
    await waitForStatus(el, 'reconnecting');
    // Track the timers the client creates from here on (not those of the test harness).
    const timers = trackTimers(/session-client/);
    try {
      await server.restart();
      el.retryNow();
      await waitUntil(() => el.status === 'open');
      el.remove();
      await Promise.resolve();
      await Promise.resolve();
    } finally {
      timers.restore();
    }
    expect(timers.created(), 'the client armed timers while tracked').to.be.greaterThan(0);
    expect(timers.pending.size, 'timers left pending').to.equal(0);
    expect(el.status).to.equal('closed');
    await waitUntil(async () => (await server.stats()).live === 0, 'socket left open');
    await aTimeout(400);
    expect((await server.stats()).connections).to.equal(2);
  });

  it('leaves no timer of the client or the overlay behind when removed while waiting to reconnect', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" delays="30000" jitter="0" grace-period="0"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    // The client's timers (page lifecycle included) and the overlay's (countdown, grace period).
    const timers = trackTimers(/session-client|page-lifecycle|reconnecting-session\.ts|overlay\/overlay-controller/);
    try {
      await server.drop();
      await waitUntil(() => el.statusDetail?.nextAttemptAt != null && el.shadowRoot!.querySelector('[part=countdown]'));
      window.dispatchEvent(new Event('beforeunload'));
      expect(timers.pending.size, 'backoff, countdown and unload timers armed').to.be.at.least(3);
      el.remove();
      await Promise.resolve();
      await Promise.resolve();
    } finally {
      timers.restore();
    }
    expect(timers.pending.size, 'timers left pending').to.equal(0);
    expect(el.status).to.equal('closed');
  });

  it('passes session-id to a plain server as a query parameter', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" session-id="abc 123" session-param="sid"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    expect((await server.stats()).urls).to.deep.equal(['/?sid=abc+123']);
  });

  it('tries fallback URLs in turn', async () => {
    const dead = await startServer();
    await dead.stop();
    const live = await startServer();
    const el = await mount(`<reconnecting-session url="${dead.url} ${live.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    expect(el.statusDetail!.url).to.equal(live.url);
    expect((await live.stats()).connections).to.equal(1);
  });

  it('counts every URL tried towards max-attempts, wraps around the list, and stays on the URL that opened', async () => {
    const a = await startServer();
    const b = await startServer();
    await a.stop();
    await b.stop();
    const el = await mount(
      `<reconnecting-session url="${a.url} ${b.url}" delays="20" jitter="0" max-attempts="4"></reconnecting-session>`,
    );
    const statuses = collect<SessionStatusEvent>(el, 'session-status');
    await waitForStatus(el, 'failed');
    const tried = statuses.filter((e) => e.detail.nextAttemptAt === null && e.detail.status !== 'failed');
    // The first connect went to a (before this listener); attempts 1 to 4 go on from there.
    expect(tried.map((e) => (e.detail.url === a.url ? 'a' : 'b')).join('')).to.equal('baba');
    expect(tried.map((e) => e.detail.attempt)).to.deep.equal([1, 2, 3, 4]);
    expect(el.statusDetail!.attempt).to.equal(4);
    await b.restart();
    el.retryNow();
    await waitForStatus(el, 'open');
    expect(el.statusDetail!.url).to.equal(b.url);
    await b.drop();
    await waitForStatus(el, 'reconnecting');
    await waitForStatus(el, 'open');
    expect(el.statusDetail!.url, 'the first retry after a drop stays on the URL that worked').to.equal(b.url);
  });

  it('goes to failed at once on a policy close (1008) with the reason', async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    const failed = oneEvent(el, 'session-failed');
    await server.close(1008, 'not allowed');
    const detail = (await failed).detail;
    expect([detail.status, detail.cause, detail.code, detail.reason]).to.deep.equal([
      'failed',
      'policy',
      1008,
      'not allowed',
    ]);
    await aTimeout(200);
    expect((await server.stats()).connections).to.equal(1);
  });

  it('with reconnect="prompt" waits for retryNow()', async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session url="${server.url}" reconnect="prompt"></reconnecting-session>`);
    await waitForStatus(el, 'open');
    await server.drop();
    await waitForStatus(el, 'failed');
    await aTimeout(200);
    expect((await server.stats()).connections).to.equal(1);
    el.retryNow();
    await waitForStatus(el, 'open');
  });

  it('with reconnect="off" stays closed after a drop', async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session url="${server.url}" reconnect="off"></reconnecting-session>`);
    await waitForStatus(el, 'open');
    await server.drop();
    await waitForStatus(el, 'closed');
    expect(el.statusDetail!.cause).to.equal('network');
  });

  it('gives up on an attempt that never opens after connect-timeout and tries the next', async () => {
    const { url } = await executeServerCommand<{ url: string }, object>('blackhole', { ms: 10000 });
    const live = await startServer();
    const el = await mount(
      `<reconnecting-session url="${url} ${live.url}" connect-timeout="300" delays="10" jitter="0"></reconnecting-session>`,
    );
    const statuses = collect<SessionStatusEvent>(el, 'session-status');
    await waitForStatus(el, 'open');
    const waited = statuses.find((e) => e.detail.nextAttemptAt !== null)!.detail;
    expect([waited.cause, waited.attempt]).to.deep.equal(['timeout', 1]);
    expect(el.statusDetail!.url).to.equal(live.url);
  });

  it('pauses while the browser is offline and attempts at once on the real online event', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" delays="60000" jitter="0"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    const descriptor = Object.getOwnPropertyDescriptor(Navigator.prototype, 'onLine')!;
    let online = true;
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
    try {
      await server.stop();
      await waitUntil(() => el.statusDetail?.nextAttemptAt != null, 'no attempt scheduled');
      online = false;
      window.dispatchEvent(new Event('offline'));
      expect([el.statusDetail!.cause, el.statusDetail!.nextAttemptAt]).to.deep.equal(['offline', null]);
      await server.restart();
      online = true;
      window.dispatchEvent(new Event('online'));
      // The schedule said 60 s; the online event does not wait for it.
      await waitForStatus(el, 'open', 3000);
      expect(el.statusDetail!.attempt).to.equal(0);
    } finally {
      delete (navigator as { onLine?: boolean }).onLine;
      Object.defineProperty(Navigator.prototype, 'onLine', descriptor);
    }
  });

  it('connect() right after setting url uses that url', async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session manual></reconnecting-session>`);
    el.url = server.url;
    el.connect();
    await waitForStatus(el, 'open');
  });

  it('keeps trying while the server refuses connections, and opens once it accepts again', async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    const statuses = collect<SessionStatusEvent>(el, 'session-status');
    await server.refuse(400);
    // The command's answer can reach the page before the socket's close does (Firefox): wait for the drop first.
    await waitUntil(() => statuses.some((e) => e.detail.status === 'reconnecting'), 'the drop was never seen');
    await waitForStatus(el, 'open');
    const attempts = Math.max(...statuses.map((e) => e.detail.attempt));
    expect(attempts, 'refused attempts before the open').to.be.greaterThan(1);
    expect((await server.stats()).connections).to.equal(2);
  });

  it('connect() right after setting session-id sends that id', async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session url="${server.url}" manual></reconnecting-session>`);
    el.sessionId = 'abc';
    el.connect();
    await waitForStatus(el, 'open');
    expect((await server.stats()).urls.at(-1)).to.equal('/?session=abc');
  });

  it('without a url waits (no failure, no overlay) and connects once a url is set', async () => {
    const server = await startServer();
    const failed = collect(document, 'session-failed');
    const el = await mount(`<reconnecting-session grace-period="0"></reconnecting-session>`);
    await aTimeout(100);
    expect([el.status, failed.length]).to.deep.equal(['idle', 0]);
    expect(el.shadowRoot!.querySelector('[part=overlay]')).to.equal(null);
    el.url = server.url;
    await waitForStatus(el, 'open');
  });

  it('stays closed when moved after the server ended the session', async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session url="${server.url}" reconnect="off"></reconnecting-session>`);
    await waitForStatus(el, 'open');
    await server.drop();
    await waitForStatus(el, 'closed');
    const other = document.createElement('div');
    document.body.append(other);
    other.append(el);
    await aTimeout(100);
    expect(el.status).to.equal('closed');
    expect((await server.stats()).connections).to.equal(1);
    other.remove();
  });

  it('does not connect while manual until connect()', async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session url="${server.url}" manual></reconnecting-session>`);
    await aTimeout(100);
    expect(el.status).to.equal('idle');
    expect((await server.stats()).connections).to.equal(0);
    el.connect();
    await waitForStatus(el, 'open');
  });
});
