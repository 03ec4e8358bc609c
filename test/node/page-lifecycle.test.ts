// The page's leaving signals on a stand-in window and hand-driven timers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PageLifecycle, UNLOAD_CANCELLED_MS, type PageSignal } from '../../src/client/page-lifecycle.js';

/** Node has no PageTransitionEvent: an Event with the `persisted` flag is what the listener reads. */
function transition(type: string, persisted = false): Event {
  return Object.assign(new Event(type), { persisted });
}

function setup() {
  const window = new EventTarget();
  const timers = new Map<number, () => void>();
  let nextId = 1;
  const env = {
    window,
    setTimeout: (fn: () => void, ms: number) => {
      assert.equal(ms, UNLOAD_CANCELLED_MS);
      timers.set(nextId, fn);
      return nextId++;
    },
    clearTimeout: (id: number | undefined) => void timers.delete(id ?? -1),
  };
  const heard: [PageSignal, boolean, boolean][] = [];
  const page = new PageLifecycle(env, (signal, persisted) => heard.push([signal, persisted, page.unloading]));
  const controller = new AbortController();
  page.listen(controller.signal);
  const fireTimers = () => {
    const due = [...timers.values()];
    timers.clear();
    for (const fn of due) fn();
  };
  return { window, timers, heard, page, controller, fireTimers };
}

describe('PageLifecycle', () => {
  it('is leaving from pagehide to pageshow, and passes on the back-forward cache flag', () => {
    const { window, heard, page } = setup();
    window.dispatchEvent(transition('pageshow'));
    assert.deepEqual(heard, [], "the page's first pageshow undoes nothing");
    window.dispatchEvent(transition('pagehide', true));
    assert.equal(page.leaving, true);
    assert.equal(page.unloading, true);
    window.dispatchEvent(transition('pageshow', true));
    assert.equal(page.leaving, false);
    assert.deepEqual(heard, [
      ['pagehide', true, true],
      ['pageshow', true, false],
    ]);
  });

  it('counts as unloading, not leaving, for a second after beforeunload, then says the unload was cancelled', () => {
    const { window, heard, page, timers, fireTimers } = setup();
    window.dispatchEvent(new Event('beforeunload'));
    window.dispatchEvent(new Event('beforeunload'));
    assert.equal(timers.size, 1, 'a second beforeunload starts the second again');
    assert.deepEqual([page.leaving, page.unloading], [false, true]);
    fireTimers();
    assert.equal(page.unloading, false);
    assert.deepEqual(heard.at(-1), ['unload-cancelled', false, false]);
  });

  it('stays unloading past that second once pagehide came, until pageshow', () => {
    const { window, page, timers, fireTimers } = setup();
    window.dispatchEvent(new Event('beforeunload'));
    window.dispatchEvent(transition('pagehide'));
    fireTimers();
    assert.equal(page.unloading, true);
    window.dispatchEvent(new Event('beforeunload'));
    window.dispatchEvent(transition('pageshow'));
    assert.equal(page.unloading, false);
    assert.equal(timers.size, 0, 'pageshow clears the pending second');
  });

  it('takes its listeners and its timer along when the signal aborts, and says it is no longer unloading', () => {
    const { window, heard, page, timers, controller } = setup();
    window.dispatchEvent(new Event('beforeunload'));
    controller.abort();
    assert.equal(timers.size, 0);
    assert.equal(page.unloading, false);
    assert.deepEqual(heard.at(-1), ['unload-cancelled', false, false]);
    const count = heard.length;
    window.dispatchEvent(transition('pagehide'));
    assert.equal(heard.length, count, 'no listener left on the window');
    assert.equal(page.leaving, false);
  });
});
