import { browserEnvironment, type ClientEnvironment } from '../../src/client/environment.js';
import { SessionClient } from '../../src/client/session-client.js';
import type { RecoveredDetail, SessionDetail, StatusDetail } from '../../src/client/types.js';
import { NO_ATTRIBUTES, parseConfig, type RawAttributes } from '../../src/config.js';

/** A client environment with a hand-driven clock and timers; the WebSocket stays real. */
export class FakeClock {
  now = 1_000_000;
  timers = new Map<number, { at: number; ms: number; fn: () => void }>();
  #nextId = 1;
  online = true;
  hidden = false;
  random = 0.5;
  readonly window = new EventTarget();
  readonly document = new EventTarget();

  env(): ClientEnvironment {
    return {
      ...browserEnvironment(),
      now: () => this.now,
      random: () => this.random,
      isOnline: () => this.online,
      isHidden: () => this.hidden,
      window: this.window,
      document: this.document,
      storage: () => null,
      setTimeout: (fn, ms) => {
        const id = this.#nextId++;
        this.timers.set(id, { at: this.now + ms, ms, fn });
        return id;
      },
      clearTimeout: (id) => {
        if (id !== undefined) this.timers.delete(id);
      },
    };
  }

  /** Delays of the pending timers, longest first. */
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.ms).sort((a, b) => b - a);
  }

  /** Moves the clock forward, firing due timers in order. */
  tick(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      due[1].fn();
    }
    this.now = end;
  }

  /**
   * Intensive throttling, as a browser does to a hidden tab: the clock moves on by `ms`, and every timer due in
   * that time fires `lateBy` after its time (each sees the late clock), in order.
   */
  tickLate(ms: number, lateBy: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = Math.max(this.now, due[1].at + lateBy);
      due[1].fn();
    }
    this.now = Math.max(this.now, end);
  }

  /** Fires one timer now, whatever the clock says (as a throttled or early timer might). */
  fire(ms: number): void {
    const entry = [...this.timers.entries()].find(([, t]) => t.ms === ms);
    if (!entry) throw new Error(`no ${ms} ms timer pending (have ${this.pending().join(', ')})`);
    this.timers.delete(entry[0]);
    entry[1].fn();
  }
}

/** A SessionClient on `clock`, recording what it reports. */
export function clientOn(url: string, clock: FakeClock, attrs: Partial<RawAttributes> = {}) {
  const statuses: StatusDetail[] = [];
  const recovered: RecoveredDetail[] = [];
  const sessions: SessionDetail[] = [];
  const { config } = parseConfig({ ...NO_ATTRIBUTES, url, ...attrs }, location.href);
  const c = new SessionClient(
    config,
    {
      status: (d) => statuses.push(d),
      message() {},
      error() {},
      session: (d) => sessions.push(d),
      recovered: (d) => recovered.push(d),
      sessionId() {},
    },
    clock.env(),
  );
  return { c, statuses, recovered, sessions };
}
