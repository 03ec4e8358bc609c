import { expect, oneEvent } from '@open-wc/testing';
import { defineReconnectingSession } from '../../src/define.js';
import type { ReconnectingSessionElement } from '../../src/reconnecting-session.js';
import {
  cleanup,
  collect,
  mount,
  startServer,
  startSessionServer,
  waitForStatus,
  waitUntil,
  type TestServer,
} from './helpers.js';
import { view } from './overlay-helpers.js';

// The plain test server stands in for a session server: the test reads the client's frames and writes the server's.
const SESSION = 'protocol="session" delays="60000" jitter="0" manual';
const EVENTS = ['status', 'failed', 'message', 'error', 'resumed', 'new', 'recovered', 'retry', 'drain'];

const welcome = (extra: object = {}) =>
  JSON.stringify({ t: 'welcome', sid: 'sid-1', token: 'tok-1', resumed: false, ack: 0, lifetimeMs: 15000, ...extra });

async function framesFrom(server: TestServer): Promise<Record<string, unknown>[]> {
  const { received } = await server.stats();
  return received.map((r) => JSON.parse(r as string) as Record<string, unknown>);
}

/** Resolves with the client's frames once `check` holds for them. */
async function until(server: TestServer, check: (frames: Record<string, unknown>[]) => boolean, what: string) {
  let frames: Record<string, unknown>[] = [];
  await waitUntil(async () => check((frames = await framesFrom(server))), what);
  return frames;
}

/** Every detail of every event the element fires. */
function record(el: ReconnectingSessionElement) {
  const details: unknown[] = [];
  for (const type of EVENTS) el.addEventListener(`session-${type}`, (e) => details.push((e as CustomEvent).detail));
  return details;
}

describe('<reconnecting-session> auth', () => {
  afterEach(() => {
    sessionStorage.clear();
    return cleanup();
  });

  it('is a property only: never an attribute, and a value set before the element is defined is kept', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    try {
      const early = document.createElement('auth-upgrade-test') as ReconnectingSessionElement;
      early.setAttribute('manual', '');
      const credential = () => 'SECRET';
      early.auth = credential;
      host.append(early);
      defineReconnectingSession('auth-upgrade-test');
      expect(early.auth).to.equal(credential);
      expect(Object.hasOwn(early, 'auth'), 'the accessor is not hidden').to.equal(false);
      early.auth = 'SECRET-2';
      await early.updateComplete;
      expect(early.auth).to.equal('SECRET-2');
      expect(host.innerHTML).not.to.contain('SECRET');
      expect(early.shadowRoot!.innerHTML).not.to.contain('SECRET');
    } finally {
      host.remove();
    }
  });

  it('sends a fresh credential in each hello, resumes at once after a 4401 with nothing lost, and leaks it nowhere', async () => {
    const logged: unknown[] = [];
    const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
    const saved = methods.map((m) => console[m]);
    for (const m of methods) console[m] = (...args: unknown[]) => void logged.push(args);
    try {
      const server = await startServer({ echo: false });
      const el = await mount(`<reconnecting-session url="${server.url}" persist ${SESSION}></reconnecting-session>`);
      const details = record(el);
      let calls = 0;
      el.auth = async () => `SECRET-${++calls}`;
      el.connect();
      await until(server, (f) => f.length === 1, 'the first hello');
      await server.send(welcome());
      await waitForStatus(el, 'open');
      el.send('x1');
      await until(server, (f) => f.length === 2, 'x1');
      const resumed = oneEvent(el, 'session-resumed');
      await server.close(4401, 'expired');
      const frames = await until(server, (f) => f.length === 3, 'the second hello');
      expect(frames[0]).to.deep.equal({ t: 'hello', v: 1, ack: 0, auth: 'SECRET-1' });
      expect(frames[2]).to.deep.equal({ t: 'hello', v: 1, sid: 'sid-1', token: 'tok-1', ack: 0, auth: 'SECRET-2' });
      await server.send(welcome({ resumed: true, token: 'tok-2' }));
      await resumed;
      const after = await until(server, (f) => f.some((x, i) => i > 2 && x.t === 'msg'), 'x1 resent');
      expect(after.slice(3).filter((x) => x.t === 'msg')).to.deep.equal([{ t: 'msg', seq: 1, d: 'x1' }]);
      expect(el.statusDetail!.attempt).to.equal(0);
      await server.send(JSON.stringify({ t: 'reauth', before: Date.now() + 60_000 }));
      await until(server, (f) => f.some((x) => x.t === 'auth'), 'the auth frame');
      el.disconnect();
      const seen = await framesFrom(server);
      expect(seen.find((x) => x.t === 'auth')).to.deep.equal({ t: 'auth', auth: 'SECRET-3' });
      expect(details.length).to.be.greaterThan(5);
      expect(JSON.stringify(details)).not.to.contain('SECRET');
      expect(JSON.stringify(logged)).not.to.contain('SECRET');
      const { urls } = await server.stats();
      expect(urls.length).to.equal(2);
      expect(urls.join(' ')).not.to.contain('SECRET');
      expect(Object.keys(sessionStorage).length, 'a snapshot was kept').to.equal(1);
      expect(JSON.stringify({ ...sessionStorage })).not.to.contain('SECRET');
      expect(el.outerHTML).not.to.contain('SECRET');
    } finally {
      methods.forEach((m, i) => (console[m] = saved[i]!));
    }
  });

  it('a credential function that throws ends in failed with cause auth; retryNow() asks again', async () => {
    const server = await startServer({ echo: false });
    const el = await mount(`<reconnecting-session url="${server.url}" ${SESSION}></reconnecting-session>`);
    let calls = 0;
    el.auth = () => {
      calls++;
      throw new Error('SECRET');
    };
    const failed = oneEvent(el, 'session-failed');
    const error = oneEvent(el, 'session-error');
    el.connect();
    expect([(await failed).detail.cause, (await error).detail]).to.deep.equal([
      'auth',
      { kind: 'auth', message: 'auth threw' },
    ]);
    el.auth = () => (calls++, 'fine');
    el.retryNow();
    await until(server, (f) => f.length === 1, 'a hello');
    expect((await framesFrom(server))[0]!.auth).to.equal('fine');
    expect(calls).to.equal(2);
  });

  it('a 4403 ends in failed with cause auth', async () => {
    const server = await startServer({ echo: false });
    const el = await mount(`<reconnecting-session url="${server.url}" ${SESSION}></reconnecting-session>`);
    el.auth = 'token';
    el.connect();
    await until(server, (f) => f.length === 1, 'a hello');
    const failed = oneEvent(el, 'session-failed');
    await server.close(4403, 'not yours');
    const { detail } = await failed;
    expect([detail.cause, detail.code, detail.reason]).to.deep.equal(['auth', 4403, 'not yours']);
    expect((await server.stats()).connections).to.equal(1);
  });
});

describe('<reconnecting-session> auth against the real session server', () => {
  afterEach(cleanup);

  it('a credential that expires is refreshed over the live socket while messages flow both ways, exactly once', async () => {
    const server = await startSessionServer({ testUsers: true, ackDelayMs: 5 });
    const el = await mount(
      `<reconnecting-session url="${server.url}" protocol="session" manual></reconnecting-session>`,
    );
    let calls = 0;
    el.auth = () => (calls++, 'expires:ada:1200');
    const statuses = collect<CustomEvent>(el, 'session-status');
    const ticks: number[] = [];
    el.addEventListener('session-message', (e) => {
      // The test server also echoes what the page sends: only the ticks count here.
      const tick = (e as CustomEvent).detail.data.tick;
      if (typeof tick === 'number') ticks.push(tick);
    });
    el.connect();
    await waitForStatus(el, 'open');
    await server.chatter(40);
    let sent = 0;
    const sender = setInterval(() => el.send(++sent), 40);
    // Three expiries' worth: each is refreshed ahead of time, so the socket never drops.
    await new Promise((r) => setTimeout(r, 3000));
    clearInterval(sender);
    await waitUntil(async () => (await server.sessions())[0]!.received.length === sent, 'every message arrived');
    expect(calls, 'refreshed on reauth').to.be.at.least(3);
    expect(statuses.map((e) => e.detail.status)).to.not.include('reconnecting');
    expect((await server.sessions())[0]!.received).to.deep.equal(Array.from({ length: sent }, (_, i) => i + 1));
    expect(ticks).to.deep.equal(ticks.map((_, i) => i + 1));
  });

  it('a refused credential on resume (4401): a fresh one resumes the same session, nothing lost', async () => {
    const server = await startSessionServer({ testUsers: true });
    const el = await mount(
      `<reconnecting-session url="${server.url}" protocol="session" delays="100" jitter="0" manual></reconnecting-session>`,
    );
    const answers = ['user:ada', 'not-a-credential', 'user:ada'];
    el.auth = () => answers.shift() ?? 'user:ada';
    el.connect();
    await waitForStatus(el, 'open');
    const sid = el.sessionId;
    const resumed = oneEvent(el, 'session-resumed');
    const got: unknown[] = [];
    el.addEventListener('session-message', (e) => got.push((e as CustomEvent).detail.data));
    await server.drop();
    await server.sessionSend('while away');
    await resumed;
    expect(el.sessionId).to.equal(sid);
    await waitUntil(() => got.length === 1, 'the message owed');
    expect(got).to.deep.equal(['while away']);
    expect(answers).to.deep.equal([]);
  });
});

describe('<reconnecting-session> auth in plain mode', () => {
  afterEach(() => {
    sessionStorage.clear();
    return cleanup();
  });

  it('offers a fresh credential per attempt as a bearer subprotocol; a stale one: 4401, a fresh one at once; it leaks nowhere', async () => {
    const logged: unknown[] = [];
    const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
    const saved = methods.map((m) => console[m]);
    for (const m of methods) console[m] = (...args: unknown[]) => void logged.push(args);
    try {
      const server = await startServer({ echo: false, accept: ['SECRET-1'] });
      const el = await mount(
        `<reconnecting-session url="${server.url}" session-id="s1" delays="50" jitter="0" persist manual></reconnecting-session>`,
      );
      const details = record(el);
      // The page's token source still hands out the old token once after the server stopped taking it.
      const answers = ['SECRET-1', 'SECRET-1', 'SECRET-2'];
      let calls = 0;
      el.auth = async () => (calls++, answers.shift()!);
      el.connect();
      await waitForStatus(el, 'open');
      await server.accept(['SECRET-2']);
      await server.drop();
      await waitUntil(async () => (await server.stats()).upgrades.length === 3 && el.status === 'open', 'open again');
      const { upgrades, urls } = await server.stats();
      const encoded = (s: string) => btoa(s).replace(/=+$/, '');
      expect(upgrades).to.deep.equal(
        ['SECRET-1', 'SECRET-1', 'SECRET-2'].map((credential) => ({
          credential,
          protocols: `reconnecting-session, base64url.bearer.${encoded(credential)}`,
          selected: 'reconnecting-session',
        })),
      );
      expect(calls, 'asked before every attempt').to.equal(3);
      const refused = details.some((d) => (d as { code?: number; status?: string }).code === 4401);
      expect(refused, 'the stale credential was refused').to.equal(true);
      el.disconnect();
      expect(urls).to.deep.equal(['/?session=s1', '/?session=s1', '/?session=s1']);
      const everywhere = JSON.stringify([
        details,
        logged,
        { ...sessionStorage },
        el.outerHTML,
        el.shadowRoot!.innerHTML,
      ]);
      for (const secret of ['SECRET', encoded('SECRET-1'), encoded('SECRET-2')]) {
        expect(everywhere.includes(secret), `${secret} leaked`).to.equal(false);
      }
    } finally {
      methods.forEach((m, i) => (console[m] = saved[i]!));
    }
  });

  it('a credential refused twice ends in the signed-out notice', async () => {
    const server = await startServer({ echo: false, accept: ['good'] });
    const el = await mount(`<reconnecting-session url="${server.url}" manual></reconnecting-session>`);
    el.auth = () => 'bad';
    el.connect();
    await view(el, 'signed-out');
    expect([el.statusDetail!.cause, el.statusDetail!.code]).to.deep.equal(['auth', 4401]);
    expect((await server.stats()).upgrades.map((u) => u.credential)).to.deep.equal(['bad', 'bad']);
  });
});
