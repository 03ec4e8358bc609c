// Both keepers, held to one behaviour through a recording KeeperHost: what a hello naming a session gets, and
// what the sweep expires. The socket-level behaviour is covered by session-server.test.ts and cluster.test.ts.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { WebSocket } from 'ws';
import type { NewSessionReason } from '../../src/protocol/frames.js';
import { LocalKeeper } from '../../src/server/local-keeper.js';
import type { KeeperHost, SessionKeeper } from '../../src/server/session-keeper.js';
import { ReplayBudget } from '../../src/server/replay-budget.js';
import { SessionRegistry } from '../../src/server/session-registry.js';
import { Session, type SessionContext } from '../../src/server/session.js';
import { StoreLink } from '../../src/server/store-link.js';
import { MemoryStore } from '../../src/server/store/memory-store.js';

const LIFETIME = 10_000;
const LEASE = 1000;
const ADDRESS = '1.2.3.4';

function fakeSocket(): WebSocket {
  return { readyState: 1, bufferedAmount: 0, send() {}, close() {}, terminate() {}, once() {}, on() {} } as never;
}

function world(makeKeeper: (host: KeeperHost) => SessionKeeper) {
  let clock = 0;
  const calls = {
    fresh: [] as (NewSessionReason | undefined)[],
    resumed: [] as { session: Session; clientAck: number }[],
    expired: [] as string[],
    wrongTokens: [] as string[],
    errors: [] as Error[],
  };
  const sessions = new SessionRegistry(100);
  const context: SessionContext = {
    maxReplayMessages: 100,
    maxReplayBytes: 1_000_000,
    replayOverflow: 'refuse',
    maxSocketBufferedBytes: 1_000_000,
    ackDelayMs: 5,
    closeTimeoutMs: 100,
    now: () => clock,
    budget: new ReplayBudget(1_000_000, () => {}),
    reportError: (e) => calls.errors.push(e),
    ended: (s) => sessions.forget(s),
    leaseMs: LEASE,
  };
  const host: KeeperHost = {
    sessions,
    unusedSessionLifetimeMs: LIFETIME,
    leaseMs: LEASE,
    now: () => clock,
    restore: (id, address, restore) => new Session(id, address, context, restore),
    adopt: (s) => sessions.add(s),
    resumed: (_ws, session, clientAck) => void calls.resumed.push({ session, clientAck }),
    fresh: (_ws, _address, reason) => {
      calls.fresh.push(reason);
      return null;
    },
    turnAway: () => {},
    expire: (s) => {
      calls.expired.push(s.id);
      s.expire();
    },
    wrongToken: (_ws, address, sid) => {
      calls.wrongTokens.push(`${address} ${sid}`);
      return null;
    },
    reportError: (e) => calls.errors.push(e),
  };
  const keeper = makeKeeper(host);
  return {
    keeper,
    calls,
    advance: (ms: number) => (clock += ms),
    async create(): Promise<Session> {
      const s = new Session(`s${Math.random().toString(36).slice(2)}`, ADDRESS, context);
      sessions.add(s);
      keeper.created(s);
      await s.flushed();
      return s;
    },
    resume: (sid: string, token?: string, ack = 0) =>
      keeper.resume(fakeSocket(), { t: 'hello', v: 1, ack, sid, ...(token !== undefined ? { token } : {}) }, ADDRESS),
  };
}

const keepers: Record<string, (host: KeeperHost) => SessionKeeper> = {
  LocalKeeper: (host) => new LocalKeeper(host),
  'StoreLink on a MemoryStore': (host) => new StoreLink(new MemoryStore(), 'A', host),
};

for (const [name, makeKeeper] of Object.entries(keepers)) {
  describe(`SessionKeeper conformance: ${name}`, () => {
    let w: ReturnType<typeof world>;
    beforeEach(async () => {
      w = world(makeKeeper);
      await w.keeper.ready;
    });
    afterEach(() => w.keeper.close(100));

    it('continues a session for its token (rotated), through host.resumed', async () => {
      const s = await w.create();
      const token = s.token;
      assert.equal(await w.resume(s.id, token), s);
      assert.deepEqual(w.calls.resumed, [{ session: s, clientAck: 0 }]);
      assert.notEqual(s.token, token, 'a new token for each resume');
      assert.deepEqual(w.calls.fresh, []);
    });

    it('hands a wrong token to host.wrongToken, with the address and session it counts under', async () => {
      const s = await w.create();
      assert.equal(await w.resume(s.id, 'wrong'), null);
      assert.deepEqual(w.calls.wrongTokens, [`${ADDRESS} ${s.id}`]);
      assert.deepEqual(w.calls.fresh, []);
      assert.equal(s.closed, false, 'the session stays for its real client');
    });

    it('answers an unknown ID, or a hello without a token, with a new session (reason unknown)', async () => {
      const s = await w.create();
      await w.resume('nobody', 'x');
      await w.resume(s.id);
      assert.deepEqual(w.calls.fresh, ['unknown', 'unknown']);
      assert.deepEqual(w.calls.resumed, []);
    });

    it('ends a session the client cannot continue (replay gap)', async () => {
      const s = await w.create();
      await w.resume(s.id, s.token, 5);
      assert.deepEqual(w.calls.fresh, ['replay-gap']);
      assert.equal(s.closed, true);
    });

    it('sweeps sessions unused for the lifetime, not recent or blocked ones; a late client hears expired', async () => {
      const old = await w.create();
      const blocked = await w.create();
      w.advance(LIFETIME + LEASE + 1);
      const recent = await w.create();
      blocked.blockExpiration();
      await blocked.flushed();
      assert.deepEqual(await w.keeper.sweep(), [old.id]);
      assert.deepEqual(w.calls.expired, [old.id]);
      assert.equal(old.closed, true);
      assert.equal(recent.closed || blocked.closed, false);
      await w.resume(old.id, old.token);
      assert.deepEqual(w.calls.fresh, ['expired']);
      assert.deepEqual(w.calls.errors, []);
    });
  });
}
