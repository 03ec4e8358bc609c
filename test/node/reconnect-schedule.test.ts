// The reconnect schedule on a hand-set clock: no timers, no sockets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReconnectSchedule, type ScheduleConfig } from '../../src/client/reconnect-schedule.js';
import { CloseCode } from '../../src/protocol/close-codes.js';

const config: ScheduleConfig = { delays: [1000, 2000, 4000], jitter: 0, maxAttempts: 3 };

function setup() {
  const clock = { t: 1_000_000, r: 0.5, now: () => clock.t, random: () => clock.r };
  return { clock, schedule: new ReconnectSchedule(clock) };
}

/** One failed automatic attempt: the socket opens (as the client does), then closes without a hint. */
function failAttempt(schedule: ReconnectSchedule, cfg = config, offline = false): number | null {
  schedule.attempting(false);
  schedule.lost(false, false);
  return schedule.next(cfg, schedule.takeHint(1006, ''), offline);
}

describe('ReconnectSchedule', () => {
  it('walks the delays, counting attempts, and gives up after the maximum', () => {
    const { clock, schedule } = setup();
    schedule.lost(true, false);
    const delays: (number | null)[] = [];
    for (let i = 0; i < 4; i++) {
      const delay = schedule.next(config, null, false);
      delays.push(delay);
      if (delay === null) break;
      schedule.wait(delay);
      assert.equal(schedule.nextAttemptAt, clock.t + delay);
      assert.equal(schedule.delayMs, delay);
      schedule.cancel();
      schedule.attempting(false);
      schedule.lost(false, false);
    }
    assert.deepEqual(delays, [1000, 2000, 4000, null]);
    assert.equal(schedule.attempt, 3);
  });

  it('spreads each delay over ±jitter with the random source it was given', () => {
    const { clock, schedule } = setup();
    clock.r = 0;
    assert.equal(schedule.next({ ...config, jitter: 0.5 }, null, false), 500);
    clock.r = 1;
    assert.equal(failAttempt(schedule, { ...config, jitter: 0.5 }), 3000);
  });

  it('spends no attempt while offline: past the maximum it still schedules the last one', () => {
    const { schedule } = setup();
    schedule.next(config, null, false);
    failAttempt(schedule);
    failAttempt(schedule);
    assert.equal(schedule.attempt, 3);
    assert.equal(failAttempt(schedule, config, true), 4000);
    assert.equal(schedule.attempt, 3);
    assert.equal(failAttempt(schedule), null);
  });

  it("waits the server's retry frame after 1012/1013, once, and never fails for it", () => {
    const { clock, schedule } = setup();
    schedule.retry({ afterMs: 10_000, spreadMs: 2000 });
    assert.equal(schedule.takeHint(CloseCode.normal, ''), null, 'only 1012/1013 carry a hint');
    assert.equal(schedule.takeHint(CloseCode.serviceRestart, ''), null, 'the frame is used up by any close');
    schedule.retry({ afterMs: 10_000, spreadMs: 2000 });
    const hint = schedule.takeHint(CloseCode.tryAgainLater, 'retry-after=1');
    assert.deepEqual(hint, { afterMs: 10_000, spreadMs: 2000 }, 'the frame wins over the close reason');
    for (let i = 0; i < 5; i++) assert.equal(schedule.next(config, hint, false), 11_000);
    assert.equal(schedule.attempt, 1, 'a hint counts the first attempt only');
    assert.deepEqual(schedule.takeHint(CloseCode.serviceRestart, 'retry-after=300;spread=0'), {
      afterMs: 300,
      spreadMs: 0,
    });
    clock.t += 4000;
    assert.equal(schedule.held(), 7000, 'a wake-up holds off for what is left of the hint');
    clock.t -= 3_600_000;
    assert.equal(schedule.held(), 11_000, 'a clock set back does not stretch it');
  });

  it('keeps the attempt a failed manual retry was made in place of, at its old deadline', () => {
    const { clock, schedule } = setup();
    schedule.next(config, null, false);
    const delay = failAttempt(schedule)!;
    assert.equal(delay, 2000);
    schedule.wait(delay);
    clock.t += 500;
    schedule.cancel();
    schedule.attempting(true);
    schedule.lost(false, false);
    assert.equal(schedule.next(config, null, false), 1500, 'the rest of the owed wait');
    assert.equal(schedule.attempt, 2, 'not counted');
    schedule.wait(1500);
    clock.t += 2000;
    schedule.cancel();
    schedule.attempting(true);
    schedule.lost(false, false);
    assert.equal(schedule.next(config, null, false), 2000, 'past the deadline: the full delay again');
    assert.equal(schedule.attempt, 2);
  });

  it('counts protocol closes without an ack in between, even across opens, until acked', () => {
    const { schedule } = setup();
    schedule.lost(true, true);
    assert.equal(schedule.next(config, null, false), 1000);
    schedule.opened();
    schedule.lost(true, true);
    assert.equal(schedule.attempt, 1);
    assert.equal(schedule.next(config, null, false), 2000);
    schedule.opened();
    schedule.acked();
    schedule.lost(true, true);
    assert.equal(schedule.attempt, 0);
    schedule.restart();
    schedule.lost(true, false);
    assert.equal(schedule.attempt, 0);
  });

  it('says what is left of a wait when its timer fires, from the clock', () => {
    const { clock, schedule } = setup();
    assert.equal(schedule.remaining(), 0, 'nothing scheduled');
    schedule.wait(1000);
    clock.t += 400;
    assert.equal(schedule.remaining(), 600, 'an early timer waits the rest');
    clock.t += 600;
    assert.equal(schedule.remaining(), 0);
    clock.t -= 3_600_000;
    assert.equal(schedule.remaining(), 0, 'a clock set back attempts now rather than in an hour');
    schedule.cancel();
    assert.equal(schedule.nextAttemptAt, null);
    assert.equal(schedule.delayMs, null);
  });

  it('starts counting again on open and on resetAttempts(), and forgets the retry frame on open', () => {
    const { schedule } = setup();
    schedule.next(config, null, false);
    failAttempt(schedule);
    schedule.resetAttempts();
    assert.equal(schedule.attempt, 0);
    failAttempt(schedule);
    schedule.retry({ afterMs: 5000, spreadMs: 0 });
    schedule.opened();
    assert.equal(schedule.attempt, 0);
    assert.equal(schedule.takeHint(CloseCode.serviceRestart, ''), null);
  });

  it('after a retry frame, a 1006 is the close the frame named (engines that drop 1012/1013)', () => {
    const { schedule } = setup();
    assert.equal(schedule.closeCode(1006), 1006, 'without a frame a 1006 is a network failure');
    schedule.retry({ afterMs: 300, spreadMs: 0 }, CloseCode.tryAgainLater);
    assert.equal(schedule.closeCode(1006), CloseCode.tryAgainLater);
    assert.equal(schedule.closeCode(4000), 4000, 'a code that arrived stands');
    assert.deepEqual(schedule.takeHint(schedule.closeCode(1006), ''), { afterMs: 300, spreadMs: 0 });
    assert.equal(schedule.closeCode(1006), 1006, 'the frame is used up');
    schedule.retry({ afterMs: 300, spreadMs: 0 });
    assert.equal(schedule.closeCode(1006), CloseCode.serviceRestart, 'a frame without a code means a restart');
  });

  it('takes the hint of the portable codes 4012 and 4013 from the reason', () => {
    const { schedule } = setup();
    for (const code of [CloseCode.restarting, CloseCode.busy])
      assert.deepEqual(schedule.takeHint(code, 'retry-after=5000;spread=2000'), { afterMs: 5000, spreadMs: 2000 });
  });
});
