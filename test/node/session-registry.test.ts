import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SessionRegistry } from '../../src/server/session-registry.js';
import type { Session } from '../../src/server/session.js';

const session = (id: string, address = '1.2.3.4') => ({ id, address }) as Session;

describe('SessionRegistry', () => {
  it('holds sessions by ID and counts them per address', () => {
    const registry = new SessionRegistry(10);
    const [a, b, c] = [session('a'), session('b'), session('c', '5.6.7.8')];
    for (const s of [a, b, c]) registry.add(s);
    assert.equal(registry.size, 3);
    assert.equal(registry.get('b'), b);
    assert.deepEqual([...registry.values()], [a, b, c]);
    assert.deepEqual(
      [registry.countAt('1.2.3.4'), registry.countAt('5.6.7.8'), registry.countAt('9.9.9.9')],
      [2, 1, 0],
    );
  });

  it('forgets a session only if it is still the one under its ID, and remembers the ID as expired', () => {
    const registry = new SessionRegistry(10);
    const old = session('a');
    const adopted = session('a');
    registry.add(old);
    registry.forget(old);
    registry.add(adopted);
    registry.forget(old);
    assert.equal(registry.get('a'), adopted, 'a stale copy does not remove the newer one');
    assert.equal(registry.countAt('1.2.3.4'), 1);
    assert.equal(registry.wasExpired('a'), true);
    assert.equal(registry.wasExpired('b'), false);
  });

  it('is full at maxSessions, counting resumes still on their way', () => {
    const registry = new SessionRegistry(3);
    registry.add(session('a'));
    registry.add(session('b'));
    assert.equal(registry.full(), false);
    assert.equal(registry.full(1), true);
    registry.add(session('c'));
    assert.equal(registry.full(), true);
  });

  it('remembers the last 10,000 expired IDs', () => {
    const registry = new SessionRegistry(20_000);
    for (let i = 0; i <= 10_000; i++) {
      const s = session(`s${i}`);
      registry.add(s);
      registry.forget(s);
    }
    assert.equal(registry.size, 0);
    assert.equal(registry.wasExpired('s0'), false, 'the oldest is forgotten');
    assert.equal(registry.wasExpired('s1'), true);
    assert.equal(registry.wasExpired('s10000'), true);
  });
});
