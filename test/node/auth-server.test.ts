import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Authenticate } from '../../src/server/auth.js';
import { RawClient, startServer, until } from './support.js';
import { serverFixture } from './fixture.js';
import { haveRedis, TestRedis } from './redis-support.js';

const setup = serverFixture();

/** Credentials in these tests: `user:<name>`, `expires:<name>:<ms from now>`, anything else refused. */
const authenticate: Authenticate = (_req, credential) => {
  const [kind, user, ms] = (credential ?? '').split(':');
  if (kind === 'user' && user) return { user };
  if (kind === 'expires' && user) return { user, expiresAt: Date.now() + Number(ms) };
  return null;
};

async function hello(c: RawClient, fields: Record<string, unknown>) {
  await c.opened();
  c.send({ t: 'hello', v: 1, ack: 0, ...fields });
}

describe('authenticate on every hello', () => {
  it('refuses a missing or wrong credential with 4401, reported as a reject without the credential', async () => {
    const { client, server } = await setup({ authenticate });
    const rejects: string[] = [];
    server.on('reject', (r) => rejects.push(`${r.status} ${r.reason}`));
    for (const fields of [{}, { auth: 'nonsense-credential' }]) {
      const c = client();
      await hello(c, fields);
      const closed = await c.closed;
      assert.deepEqual([closed.code, c.frames.length], [4401, 0]);
    }
    assert.deepEqual(rejects, Array(2).fill('4401 credential missing, invalid or expired'));
    assert.equal(server.sessionCount, 0);
  });

  it('gives the session to its user; another user with the stolen ID and token gets a new session of their own', async () => {
    const { client, server, sessions } = await setup({ authenticate });
    const ada = client();
    await hello(ada, { auth: 'user:ada' });
    const w = await ada.next('welcome');
    assert.equal(sessions[0]!.user, 'ada');
    sessions[0]!.send('for ada only');
    ada.close();
    const bob = client();
    await hello(bob, { auth: 'user:bob', sid: w.sid, token: w.token });
    const wb = await bob.next('welcome');
    assert.deepEqual([wb.resumed, wb.reason, wb.sid === w.sid], [false, 'user', false]);
    assert.equal(sessions[1]!.user, 'bob');
    const again = client();
    await hello(again, { auth: 'user:ada', sid: w.sid, token: w.token });
    const wa = await again.next('welcome');
    assert.deepEqual([wa.resumed, wa.sid], [true, w.sid]);
    assert.equal((await again.next('msg')).d, 'for ada only');
    assert.equal(server.getSession(w.sid)!.user, 'ada');
  });

  it('an expired credential on resume gets 4401; a fresh one resumes the same session with nothing lost', async () => {
    const { client, sessions } = await setup({ authenticate });
    const c = client();
    await hello(c, { auth: 'user:ada' });
    const w = await c.next('welcome');
    c.close();
    sessions[0]!.send('while away');
    const stale = client();
    await hello(stale, { auth: 'expired', sid: w.sid, token: w.token });
    assert.equal((await stale.closed).code, 4401);
    const fresh = client();
    await hello(fresh, { auth: 'user:ada', sid: w.sid, token: w.token });
    assert.equal((await fresh.next('welcome')).resumed, true);
    assert.equal((await fresh.next('msg')).d, 'while away');
  });

  it('asks for a fresh credential before expiry and keeps the socket when it comes; closes 4401 when it does not', async () => {
    const { client, sessions } = await setup({ authenticate });
    const c = client();
    await hello(c, { auth: 'expires:ada:1500' });
    await c.next('welcome');
    const ask = await c.next('reauth', 3000);
    assert.ok(ask.before > Date.now(), 'asked ahead of expiry');
    c.send({ t: 'auth', auth: 'expires:ada:60000' });
    await new Promise((r) => setTimeout(r, 1200));
    sessions[0]!.send('still here');
    assert.equal((await c.next('msg')).d, 'still here');
    assert.equal(c.ws.readyState, 1, 'the refresh kept the socket');
    const quiet = client();
    await hello(quiet, { auth: 'expires:bob:1200' });
    await quiet.next('welcome');
    await quiet.next('reauth', 3000);
    assert.deepEqual(await quiet.closed, { code: 4401, reason: 'credential expired' });
  });

  it('a refresh naming another user closes 4403', async () => {
    const { client } = await setup({ authenticate });
    const c = client();
    await hello(c, { auth: 'user:ada' });
    await c.next('welcome');
    c.send({ t: 'auth', auth: 'user:mallory' });
    assert.equal((await c.closed).code, 4403);
  });

  it('authenticate throwing, hanging or answering junk refuses (4401), reports, and the server goes on', async () => {
    let mode = 'throw';
    const hostile: Authenticate = (_req, credential) => {
      if (mode === 'throw') throw new Error('database down');
      if (mode === 'hang') return new Promise(() => {});
      if (mode === 'junk') return { user: 42 } as never;
      return { user: String(credential) };
    };
    const { client, errors } = await setup({ authenticate: hostile, authTimeoutMs: 100 });
    for (mode of ['throw', 'hang', 'junk']) {
      const c = client();
      await hello(c, { auth: 'secret-credential-value' });
      assert.equal((await c.closed).code, 4401, mode);
    }
    assert.equal(errors.length, 3);
    assert.ok(errors.every((e) => !e.includes('secret-credential-value')));
    mode = 'ok';
    const c = client();
    await hello(c, { auth: 'ada' });
    assert.equal((await c.next('welcome')).resumed, false);
  });

  it('closeUser ends every session of that user and no other', async () => {
    const { client, server } = await setup({ authenticate });
    const [a1, a2, b] = [client(), client(), client()];
    for (const [c, user] of [
      [a1, 'ada'],
      [a2, 'ada'],
      [b, 'bob'],
    ] as const) {
      await hello(c, { auth: `user:${user}` });
      await c.next('welcome');
    }
    assert.equal(server.closeUser('ada'), 2);
    assert.deepEqual(await a1.closed, { code: 4000, reason: 'signed out' });
    assert.deepEqual(await a2.closed, { code: 4000, reason: 'signed out' });
    assert.equal(b.ws.readyState, 1);
    assert.equal(server.sessionCount, 1);
  });

  it('an auth frame to a server that checks no credentials is a protocol error', async () => {
    const { client } = await setup({});
    const c = client();
    await c.hello();
    c.send({ t: 'auth', auth: 'x' });
    assert.equal((await c.closed).code, 1002);
  });
});

describe('authenticated sessions in Redis', { skip: !haveRedis }, () => {
  let redis: TestRedis;
  before(async () => {
    redis = await TestRedis.start();
  });
  after(() => redis.stop());

  it('the session keeps its user on another node: a stolen ID and token with another credential never get it', async () => {
    const a = await startServer({ redis: redis.url, nodeId: 'AU1', authenticate });
    const b = await startServer({ redis: redis.url, nodeId: 'AU2', authenticate });
    const clients: RawClient[] = [];
    const open = (url: string) => (clients.push(new RawClient(url)), clients.at(-1)!);
    try {
      const ada = open(a.url);
      await hello(ada, { auth: 'user:ada' });
      const w = await ada.next('welcome');
      await until(() => a.server.getSession(w.sid) !== undefined, 'session on A');
      a.server.getSession(w.sid)!.send('owed to ada');
      await a.server.getSession(w.sid)!.flushed();
      const mallory = open(b.url);
      await hello(mallory, { auth: 'user:mallory', sid: w.sid, token: w.token });
      const wm = await mallory.next('welcome');
      assert.deepEqual([wm.resumed, wm.reason], [false, 'user']);
      assert.equal(ada.ws.readyState, 1, 'the owner was not taken over');
      const back = open(b.url);
      await hello(back, { auth: 'user:ada', sid: w.sid, token: w.token, ack: 0 });
      assert.equal((await back.next('welcome')).resumed, true);
      assert.equal((await back.next('msg')).d, 'owed to ada');
      assert.equal(b.server.getSession(w.sid)!.user, 'ada');
    } finally {
      for (const c of clients) c.close();
      await a.server.close();
      await b.server.close();
    }
  });

  it("closeUser on node A ends the user's session attached to node B, and no one else's", async () => {
    const a = await startServer({ redis: redis.url, nodeId: 'AU3', authenticate });
    const b = await startServer({ redis: redis.url, nodeId: 'AU4', authenticate });
    const clients: RawClient[] = [];
    const open = (url: string) => (clients.push(new RawClient(url)), clients.at(-1)!);
    try {
      const ada = open(b.url);
      await hello(ada, { auth: 'user:ada' });
      const w = await ada.next('welcome');
      const bob = open(b.url);
      await hello(bob, { auth: 'user:bob' });
      await bob.next('welcome');
      await b.server.getSession(w.sid)!.flushed();
      assert.equal(a.server.closeUser('ada'), 0, 'node A holds none of them');
      assert.deepEqual(await ada.closed, { code: 4000, reason: 'signed out' });
      assert.equal(bob.ws.readyState, 1);
      await until(() => b.server.getSession(w.sid) === undefined, 'gone from node B');
      const back = open(a.url);
      await hello(back, { auth: 'user:ada', sid: w.sid, token: w.token });
      const again = await back.next('welcome');
      assert.equal(again.resumed, false, 'and from the store: a signed-out session cannot be resumed');
    } finally {
      for (const c of clients) c.close();
      await a.server.close();
      await b.server.close();
    }
  });
});
