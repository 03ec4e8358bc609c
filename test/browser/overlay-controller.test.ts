import { expect } from '@open-wc/testing';
import { ReactiveElement, render, type PropertyValues } from 'lit';
import sinon from 'sinon';
import type { Status, StatusDetail } from '../../src/client/types.js';
import { OverlayController } from '../../src/overlay/overlay-controller.js';

/** The least an element must be to host the overlay: its settings as plain fields, and retryNow(). */
class OverlayTestHost extends ReactiveElement {
  status: Status = 'idle';
  overlay: string | null = null;
  position: string | null = null;
  gracePeriod: string | number | null = null;
  reconnectedDuration: string | number | null = null;
  reconnectingMessage: string | null = null;
  offlineMessage: string | null = null;
  failedMessage: string | null = null;
  disconnectedMessage: string | null = null;
  expiredMessage: string | null = null;
  signedOutMessage: string | null = null;
  reconnectedMessage: string | null = null;
  retries = 0;
  readonly controller = new OverlayController(this);

  retryNow(): void {
    this.retries++;
  }

  protected override update(changed: PropertyValues): void {
    super.update(changed);
    render(this.controller.render(), this.renderRoot, { host: this });
  }
}
customElements.define('overlay-test-host', OverlayTestHost);

const detail = (patch: Partial<StatusDetail>): StatusDetail => ({
  status: 'reconnecting',
  previous: 'open',
  attempt: 2,
  maxAttempts: 6,
  delayMs: 4000,
  nextAttemptAt: Date.now() + 4000,
  cause: 'network',
  code: 1006,
  reason: '',
  url: 'ws://x/',
  ...patch,
});

describe('OverlayController', () => {
  let clock: sinon.SinonFakeTimers;
  let host: OverlayTestHost;
  const overlay = () => host.shadowRoot!.querySelector<HTMLElement>('[part="overlay"]');
  const views = ['reconnecting', 'offline', 'failed', 'signed-out', 'disconnected', 'expired', 'reconnected'];
  const shown = () => views.find((v) => overlay()?.classList.contains(v)) ?? 'none';
  /** Reports a status as the element does: to the controller, then an update. */
  const report = async (patch: Partial<StatusDetail>) => {
    host.controller.statusChanged(detail(patch));
    host.requestUpdate();
    await host.updateComplete;
  };
  const countdown = () => host.shadowRoot!.querySelector('[part="countdown"]')!.textContent!.replace(/\s+/g, ' ');
  const tick = async (ms: number) => {
    await clock.tickAsync(ms);
    await host.updateComplete;
  };

  beforeEach(async () => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    host = document.createElement('overlay-test-host') as OverlayTestHost;
    document.body.append(host);
    await report({ status: 'open', previous: 'connecting', attempt: 0, nextAttemptAt: null });
  });

  afterEach(() => {
    host.remove();
    clock.restore();
  });

  it('shows a drop only once the grace period is over, then ticks the countdown', async () => {
    await report({});
    expect(shown()).to.equal('none');
    await tick(499);
    expect(shown()).to.equal('none');
    await tick(1);
    expect(shown()).to.equal('reconnecting');
    expect(countdown()).to.equal('Reconnecting in 4 s…');
    await tick(1000);
    expect(countdown()).to.equal('Reconnecting in 3 s…');
    expect(host.shadowRoot!.querySelector('[role="status"]')!.textContent).to.equal('Connection lost. Reconnecting…');
  });

  it('confirms a recovery the person saw for reconnected-duration, and none they did not', async () => {
    host.gracePeriod = 0;
    host.reconnectedDuration = '1500';
    await report({});
    expect(shown()).to.equal('reconnecting');
    await report({ status: 'open', attempt: 0, nextAttemptAt: null });
    expect(shown()).to.equal('reconnected');
    await tick(1499);
    expect(shown()).to.equal('reconnected');
    await tick(1);
    expect(shown()).to.equal('none');

    host.gracePeriod = 500;
    await report({});
    await report({ status: 'open', attempt: 0, nextAttemptAt: null });
    await tick(3000);
    expect(shown()).to.equal('none');
  });

  it('works the view out in hostUpdate: render() alone changes nothing and arms no timer', async () => {
    await report({});
    const timers = clock.countTimers();
    // Past the grace period, without its timer firing: only an update may bring the notice.
    clock.setSystemTime(Date.now() + 600);
    const drawn = document.createElement('div');
    for (let i = 0; i < 3; i++) render(host.controller.render(), drawn);
    expect(drawn.querySelector('[part="overlay"]')).to.equal(null);
    expect(clock.countTimers()).to.equal(timers);
    host.requestUpdate();
    await host.updateComplete;
    expect(shown()).to.equal('reconnecting');
    render(host.controller.render(), drawn);
    expect(drawn.querySelector('[part="overlay"]')).to.not.equal(null);
  });

  it('keeps quiet while the page unloads, and comes back when it stays (the client reports the page lifecycle)', async () => {
    host.gracePeriod = 0;
    await report({});
    expect(shown()).to.equal('reconnecting');
    host.controller.unloadingChanged(true);
    await host.updateComplete;
    expect(shown()).to.equal('none');
    host.controller.unloadingChanged(false);
    await host.updateComplete;
    expect(shown(), 'the unload was cancelled').to.equal('reconnecting');
  });

  it('leaves no timer behind when its host is removed, and listens to no page event itself', async () => {
    await report({});
    expect(clock.countTimers(), 'the grace period').to.equal(1);
    window.dispatchEvent(new Event('pagehide'));
    expect(host.isUpdatePending, "pagehide is the client's to hear").to.equal(false);
    host.remove();
    expect(clock.countTimers()).to.equal(0);
  });

  it('asks the page before retrying: a cancelled session-retry leaves the client alone', async () => {
    host.gracePeriod = 0;
    await report({ status: 'failed', cause: 'network', nextAttemptAt: null, reason: 'bye' });
    expect(shown()).to.equal('failed');
    expect(host.shadowRoot!.querySelector('[role="alert"]')!.textContent).to.equal('Could not reconnect. bye');
    const button = host.shadowRoot!.querySelector<HTMLButtonElement>('[part="retry-button"]')!;
    const veto = (e: Event) => e.preventDefault();
    host.addEventListener('session-retry', veto, { once: true });
    button.click();
    expect(host.retries).to.equal(0);
    button.click();
    expect(host.retries).to.equal(1);
  });

  it('says nothing and draws nothing with overlay="none", and warns once about an invalid setting', async () => {
    const warn = sinon.stub(console, 'warn');
    try {
      host.overlay = 'nope';
      host.gracePeriod = 0;
      await report({});
      host.requestUpdate();
      await host.updateComplete;
      expect(warn.callCount).to.equal(1);
      expect(String(warn.firstCall.args[0])).to.contain('overlay="nope"');
      expect(shown()).to.equal('reconnecting');
      host.overlay = 'none';
      host.requestUpdate();
      await host.updateComplete;
      expect(host.shadowRoot!.children.length).to.equal(0);
      expect(host.controller.blocking).to.equal(false);
      host.overlay = 'modal';
      host.requestUpdate();
      await host.updateComplete;
      expect(host.controller.blocking).to.equal(true);
    } finally {
      warn.restore();
    }
  });
});
