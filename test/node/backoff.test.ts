import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { baseDelay, DEFAULT_DELAYS, geometricDelays, hintDelay, withJitter } from '../../src/client/backoff.js';

describe('backoff', () => {
  it('follows the default schedule 1, 2, 4, 8, 16, 32 s and repeats the last delay', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 9].map((a) => baseDelay(a, DEFAULT_DELAYS)),
      [1000, 2000, 4000, 8000, 16000, 32000, 32000, 32000],
    );
  });

  it('builds geometric schedules capped at the maximum', () => {
    assert.deepEqual(geometricDelays(500, 3000, 2, 5), [500, 1000, 2000, 3000, 3000]);
    assert.deepEqual(geometricDelays(100, 1000, 1.5, 3), [100, 150, 225]);
  });

  it('keeps jitter within ±jitter of the base delay, reaching both ends', () => {
    assert.equal(
      withJitter(1000, 0.5, () => 0),
      500,
    );
    assert.equal(
      withJitter(1000, 0.5, () => 1),
      1500,
    );
    assert.equal(withJitter(1000, 0, Math.random), 1000);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 600_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (base, jitter, r) => {
          const d = withJitter(base, jitter, () => r);
          return d >= Math.floor(base * (1 - jitter)) && d <= Math.ceil(base * (1 + jitter)) && d >= 0;
        },
      ),
    );
  });

  it('spreads jittered delays over the whole window, not a few points', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(Math.floor((withJitter(1000, 0.5) - 500) / 100));
    for (let bucket = 0; bucket < 10; bucket++)
      assert.ok(seen.has(bucket), `no delay in [${500 + bucket * 100}, ${600 + bucket * 100})`);
  });

  it('spreads a server retry hint over its window', () => {
    assert.equal(
      hintDelay(5000, 10000, () => 0),
      5000,
    );
    assert.equal(
      hintDelay(5000, 10000, () => 0.5),
      10000,
    );
    assert.equal(
      hintDelay(0, 0, () => 0.9),
      0,
    );
  });
});
