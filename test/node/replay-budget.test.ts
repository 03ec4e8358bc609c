import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayBudget } from '../../src/server/replay-budget.js';
import { TokenLimiter } from '../../src/server/token-limiter.js';

describe('ReplayBudget', () => {
  it('takes what fits, and tells each session it turned away once, when half is free again', () => {
    const drains: string[] = [];
    const budget = new ReplayBudget(100, () => drains.push('server'));
    const waiter = (name: string) => ({ budgetRoom: () => drains.push(name) });
    assert.equal(budget.reserve(80), true);
    assert.equal(budget.reserve(30), false);
    assert.equal(budget.full, false);
    const a = waiter('a');
    budget.refuse(a);
    budget.refuse(waiter('b'));
    budget.refuse(a);
    assert.equal(budget.reserve(30, true), true, 'forced (a session read back from a store)');
    assert.equal(budget.full, true);
    budget.release(50);
    assert.deepEqual(drains, [], 'not yet at half');
    budget.release(20);
    assert.deepEqual(drains, ['a', 'b', 'server']);
    budget.release(40);
    assert.deepEqual(drains, ['a', 'b', 'server'], 'once per refusal');
    assert.equal(budget.used, 0);
  });

  it('forgets a session that ended', () => {
    const heard: string[] = [];
    const budget = new ReplayBudget(10, () => heard.push('server'));
    const gone = { budgetRoom: () => heard.push('gone') };
    budget.reserve(10);
    budget.refuse(gone);
    budget.forget(gone);
    budget.release(10);
    assert.deepEqual(heard, ['server']);
  });
});

describe('TokenLimiter', () => {
  it('costs nothing within the limit, then the delay, per address and session, for a minute', () => {
    let now = 0;
    const limiter = new TokenLimiter(2, 1000, () => now);
    assert.deepEqual(
      [1, 2, 3].map(() => limiter.wrong('1.2.3.4', 's')),
      [0, 0, 1000],
    );
    assert.equal(limiter.wrong('1.2.3.4', 'other'), 0, 'another session');
    assert.equal(limiter.wrong('5.6.7.8', 's'), 0, 'another address');
    now += 60_001;
    assert.equal(limiter.wrong('1.2.3.4', 's'), 0, 'a new minute');
  });

  it('remembers at most 10,000 keys', () => {
    const limiter = new TokenLimiter(0, 5, () => 0);
    for (let i = 0; i < 20_000; i++) limiter.wrong(`a${i}`, 's');
    assert.equal(limiter.size, 10_000);
  });
});
