import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as events from '../../src/events.js';

// The event classes share their EventInit dictionaries (no allocation per message): sharing must not
// leak one event's options into another's.
describe('event classes', () => {
  const detail = { data: 'x', seq: 1 } as never;
  // events.ts exports only the event classes.
  const all = Object.values(events) as unknown as (new (d: never) => Event)[];

  it('every event bubbles, crosses shadow roots and carries its detail', () => {
    assert.equal(all.length, 11);
    for (const Class of all) {
      const e = new Class(detail) as Event & { detail: unknown };
      assert.equal(e.bubbles, true, Class.name);
      assert.equal(e.composed, true, Class.name);
      assert.equal(e.detail, detail, Class.name);
    }
  });

  it('only the retry, reload and sign-in events are cancelable, whatever was built before', () => {
    const cancelable = all.filter((Class) => new Class(detail).cancelable).map((Class) => Class.name);
    assert.deepEqual(cancelable.sort(), ['SessionReloadEvent', 'SessionRetryEvent', 'SessionSignInEvent']);
    const message = new events.SessionMessageEvent(detail);
    message.preventDefault();
    assert.equal(message.defaultPrevented, false);
  });
});
