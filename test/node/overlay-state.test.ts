import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statusDetail } from './status-detail.js';
import {
  FIRST_ATTEMPT_HOLD,
  msUntilNextSecond,
  overlayView,
  secondsLeft,
  type OverlayInput,
} from '../../src/overlay/overlay-state.js';
import { parseOverlayConfig } from '../../src/overlay/overlay-config.js';

const detail = statusDetail;
const base: OverlayInput = {
  detail: detail({}),
  now: 10_000,
  troubleSince: 10_000,
  gracePeriod: 500,
  outageShown: false,
  expired: false,
  reconnectedUntil: null,
  unloading: false,
};

describe('overlayView', () => {
  it('shows nothing during the grace period, then the reconnecting view', () => {
    const second = { ...base, detail: detail({ attempt: 2 }) };
    assert.equal(overlayView(second), 'none');
    assert.equal(overlayView({ ...second, now: 10_499 }), 'none');
    assert.equal(overlayView({ ...second, now: 10_500 }), 'reconnecting');
  });

  it('shows nothing while the first attempt may still heal the drop, up to FIRST_ATTEMPT_HOLD', () => {
    // The first wait (1 s ± 50%) outlasts the 500 ms grace period: that attempt is waited for.
    assert.equal(overlayView({ ...base, now: 11_400 }), 'none');
    const inFlight = { ...base, now: 11_600, detail: detail({ nextAttemptAt: null }) };
    assert.equal(overlayView(inFlight), 'none');
    assert.equal(overlayView({ ...inFlight, now: 10_000 + FIRST_ATTEMPT_HOLD }), 'reconnecting');
    // Once it has failed, the next wait shows at once.
    assert.equal(overlayView({ ...base, now: 11_600, detail: detail({ attempt: 2 }) }), 'reconnecting');
    // grace-period="0" means at once, and offline is not held.
    assert.equal(overlayView({ ...base, gracePeriod: 0 }), 'reconnecting');
    assert.equal(overlayView({ ...base, now: 10_500, detail: detail({ cause: 'offline' }) }), 'offline');
  });

  it('keeps showing an outage already on screen (a retry after failure does not hide it)', () => {
    const retrying = { ...base, detail: detail({ status: 'connecting', attempt: 0, nextAttemptAt: null }) };
    assert.equal(overlayView(retrying), 'none');
    assert.equal(overlayView({ ...retrying, outageShown: true }), 'reconnecting');
  });

  it('shows failure at once, whatever the grace period', () => {
    assert.equal(overlayView({ ...base, detail: detail({ status: 'failed' }), gracePeriod: 60_000 }), 'failed');
  });

  it('shows visitors nothing for a missing URL (a Retry button could not help)', () => {
    assert.equal(overlayView({ ...base, detail: detail({ status: 'failed', cause: 'no-url' }) }), 'none');
  });

  it('shows the signed-out notice, not the failure, when the credential was refused', () => {
    const refused = { ...base, gracePeriod: 60_000 };
    for (const code of [4401, 4403, null]) {
      assert.equal(
        overlayView({ ...refused, detail: detail({ status: 'failed', cause: 'auth', code }) }),
        'signed-out',
      );
    }
    assert.equal(overlayView({ ...base, detail: detail({ status: 'failed', cause: 'policy', code: 1008 }) }), 'failed');
  });

  it('shows the offline view when paused for the network', () => {
    assert.equal(
      overlayView({ ...base, now: 20_000, detail: detail({ cause: 'offline', nextAttemptAt: null }) }),
      'offline',
    );
  });

  it('shows disconnected for a drop with reconnect off, but not after disconnect()', () => {
    assert.equal(overlayView({ ...base, detail: detail({ status: 'closed', cause: 'network' }) }), 'disconnected');
    assert.equal(overlayView({ ...base, detail: detail({ status: 'closed', cause: 'manual' }) }), 'none');
  });

  it('shows the reconnected confirmation only until it times out', () => {
    const open = { ...base, detail: detail({ status: 'open', cause: null }), troubleSince: null };
    assert.equal(overlayView({ ...open, reconnectedUntil: 12_000 }), 'reconnected');
    assert.equal(overlayView({ ...open, reconnectedUntil: 12_000, now: 12_000 }), 'none');
    assert.equal(overlayView(open), 'none');
  });

  it('puts an expired session above everything and shows nothing while unloading', () => {
    assert.equal(overlayView({ ...base, expired: true, detail: detail({ status: 'open' }) }), 'expired');
    assert.equal(overlayView({ ...base, now: 99_000, unloading: true }), 'none');
    assert.equal(overlayView({ ...base, detail: detail({ status: 'failed' }), unloading: true }), 'none');
  });
});

describe('countdown arithmetic', () => {
  it('rounds seconds up and ticks on second boundaries', () => {
    assert.deepEqual(
      [secondsLeft(5000, 1000), secondsLeft(5000, 1001), secondsLeft(5000, 4999), secondsLeft(5000, 6000)],
      [4, 4, 1, 0],
    );
    assert.deepEqual(
      [msUntilNextSecond(5000, 1000), msUntilNextSecond(5000, 1300), msUntilNextSecond(5000, 5000)],
      [1000, 700, 0],
    );
  });
});

describe('parseOverlayConfig', () => {
  it('has defaults and warns on invalid values', () => {
    const ok = parseOverlayConfig({ overlay: null, position: null, gracePeriod: null, reconnectedDuration: null });
    assert.deepEqual(ok.config, {
      overlay: 'toast',
      position: 'bottom-right',
      gracePeriod: 500,
      reconnectedDuration: 2000,
    });
    const bad = parseOverlayConfig({
      overlay: 'popup',
      position: 'middle',
      gracePeriod: '-1',
      reconnectedDuration: 'x',
    });
    assert.deepEqual(bad.config, ok.config);
    assert.equal(bad.warnings.length, 4);
    assert.ok(bad.warnings[0]!.includes('overlay="popup"'));
  });

  it('reads overlay and position case-insensitively', () => {
    const { config, warnings } = parseOverlayConfig({
      overlay: 'Modal',
      position: 'TOP-LEFT',
      gracePeriod: null,
      reconnectedDuration: null,
    });
    assert.deepEqual(warnings, []);
    assert.equal(config.overlay, 'modal');
    assert.equal(config.position, 'top-left');
  });
});
