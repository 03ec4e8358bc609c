import { expect, oneEvent } from '@open-wc/testing';
import sinon from 'sinon';
import { emulateMedia } from '@web/test-runner-commands';
import { cleanup, itIn, mount, startServer, startSessionServer, waitForStatus, waitUntil } from './helpers.js';
import { part, shownMessage, text, view } from './overlay-helpers.js';

/** Runs `fn` while the browser claims to be offline (navigator.onLine false), then restores it. */
async function whileOffline(fn: () => Promise<void>) {
  const descriptor = Object.getOwnPropertyDescriptor(Navigator.prototype, 'onLine')!;
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
  try {
    await fn();
  } finally {
    Object.defineProperty(navigator, 'onLine', descriptor);
    delete (navigator as { onLine?: boolean }).onLine;
  }
}

/** Yields to real events while sinon fakes the timers (waitUntil would use the fake ones). */
async function realWait(check: () => boolean, what: string) {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > 5000) throw new Error(`timed out: ${what}`);
    await new Promise<void>((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(0);
    });
  }
}

describe('<reconnecting-session> overlay', () => {
  afterEach(cleanup);

  it('shows nothing while open and the reconnecting view with a countdown and attempt after a drop', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" delays="30000" jitter="0" grace-period="0"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    expect(part(el, 'overlay')).to.equal(null);
    const input = document.createElement('input');
    document.body.append(input);
    input.focus();
    await server.stop();
    await view(el, 'reconnecting');
    expect(document.activeElement, 'ordinary retries do not steal focus').to.equal(input);
    input.remove();
    expect(shownMessage(el)).to.equal('Connection lost.');
    expect(text(el, 'countdown')).to.match(/^Reconnecting in (30|29) s…$/);
    expect(text(el, 'attempt')).to.equal('Attempt 1 of 6');
    expect(text(el, 'retry-button')).to.equal('Retry now');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('ticks the countdown once a second (fake clock)', async () => {
    const server = await startServer();
    await server.stop();
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const el = await mount(
        `<reconnecting-session url="${server.url}" delays="10000" jitter="0" grace-period="0"></reconnecting-session>`,
      );
      await realWait(() => el.statusDetail?.nextAttemptAt != null, 'attempt scheduled');
      await el.updateComplete;
      expect(text(el, 'countdown')).to.equal('Trying again in 10 s…');
      const width = part(el, 'overlay')!.getBoundingClientRect().width;
      await clock.tickAsync(1000);
      await el.updateComplete;
      expect(text(el, 'countdown')).to.equal('Trying again in 9 s…');
      // Within rounding: without the reserved width it loses a whole digit (~8 px).
      expect(part(el, 'overlay')!.getBoundingClientRect().width, 'the box kept its width').to.be.closeTo(width, 0.5);
      await clock.tickAsync(4500);
      await el.updateComplete;
      expect(text(el, 'countdown')).to.equal('Trying again in 5 s…');
      el.remove();
    } finally {
      clock.restore();
    }
  });

  it('shows nothing for a drop that recovers within the grace period', async () => {
    const server = await startServer();
    // A generous grace period: the point is that a quick recovery never shows, even on a loaded machine.
    const el = await mount(
      `<reconnecting-session url="${server.url}" delays="20" jitter="0" grace-period="2000"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    let shown = false;
    const observer = new MutationObserver(() => (shown ||= part(el, 'overlay') !== null));
    observer.observe(el.shadowRoot!, { childList: true, subtree: true });
    await server.drop();
    await waitForStatus(el, 'reconnecting');
    await waitForStatus(el, 'open');
    await new Promise((r) => setTimeout(r, 300));
    observer.disconnect();
    expect(shown, 'overlay flashed').to.equal(false);
    expect(part(el, 'overlay')).to.equal(null);
  });

  it('shows nothing, and confirms nothing, for a drop that heals on its first attempt (default grace period)', async () => {
    const server = await startServer();
    // The first wait (1 s) is longer than the default 500 ms grace period.
    const el = await mount(
      `<reconnecting-session url="${server.url}" delays="1000" jitter="0"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    const seen: string[] = [];
    const observer = new MutationObserver(() => {
      const overlay = part(el, 'overlay');
      if (overlay) seen.push(overlay.className);
    });
    observer.observe(el.shadowRoot!, { childList: true, subtree: true, attributes: true });
    await server.drop();
    await waitForStatus(el, 'reconnecting');
    await waitForStatus(el, 'open');
    await el.updateComplete;
    observer.disconnect();
    expect(el.statusDetail!.previous).to.equal('reconnecting');
    expect(seen, 'overlay flashed').to.deep.equal([]);
    expect(part(el, 'overlay')).to.equal(null);
  });

  it('shows failure at once with a retry button (focus untouched), then reconnects and confirms', async () => {
    const server = await startServer();
    await server.stop();
    const el = await mount(
      `<reconnecting-session url="${server.url}" delays="10" max-attempts="1" jitter="0" reconnected-duration="1500"></reconnecting-session>`,
    );
    await view(el, 'failed');
    expect(shownMessage(el), 'never connected: not "reconnect"').to.equal('Could not connect to the server.');
    const button = part(el, 'retry-button') as HTMLButtonElement;
    expect(button.tagName).to.equal('BUTTON');
    expect(el.shadowRoot!.activeElement === null, 'a toast does not take focus').to.equal(true);
    expect(el.shadowRoot!.querySelector('[role="alert"]')!.textContent!.trim()).to.equal(
      'Could not connect to the server.',
    );
    await expect(el).shadowDom.to.be.accessible();
    await server.restart();
    const retried = oneEvent(el, 'session-retry');
    button.click();
    expect((await retried).cancelable).to.equal(true);
    await waitForStatus(el, 'open');
    await view(el, 'reconnected');
    expect(shownMessage(el)).to.equal('Reconnected.');
    await expect(el).shadowDom.to.be.accessible();
    await waitUntil(() => part(el, 'overlay') === null, 'confirmation did not go away');
  });

  it('keeps keyboard focus on the retry button when Retry leads back to reconnecting', async () => {
    const server = await startServer();
    await server.stop();
    const el = await mount(
      `<reconnecting-session url="${server.url}" grace-period="0" delays="10" max-attempts="1" jitter="0"></reconnecting-session>`,
    );
    await view(el, 'failed');
    const button = part(el, 'retry-button') as HTMLButtonElement;
    // The person tabs to the button.
    button.focus();
    el.setAttribute('delays', '30000');
    el.setAttribute('max-attempts', '3');
    button.click();
    await view(el, 'reconnecting');
    await waitUntil(() => el.statusDetail?.nextAttemptAt !== null, 'no wait scheduled');
    await el.updateComplete;
    // Booleans, not elements: a failed element comparison makes chai's diff crash the browser tab.
    expect(part(el, 'retry-button') === button, 'the same button').to.equal(true);
    expect(text(el, 'retry-button')).to.equal('Retry now');
    expect(button.getAttribute('aria-disabled')).to.equal('false');
    expect(el.shadowRoot!.activeElement === button, 'focus fell to the page').to.equal(true);
  });

  it('lets the page veto the retry button', async () => {
    const server = await startServer();
    await server.stop();
    const el = await mount(
      `<reconnecting-session url="${server.url}" delays="10" max-attempts="1" jitter="0"></reconnecting-session>`,
    );
    await view(el, 'failed');
    await server.restart();
    el.addEventListener('session-retry', (e) => e.preventDefault());
    part(el, 'retry-button')!.click();
    await new Promise((r) => setTimeout(r, 100));
    expect(el.status).to.equal('failed');
  });

  it('renders attribute texts and server reasons as text, never HTML', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" failed-message="&lt;b&gt;gone&lt;/b&gt;&lt;img src=x onerror=alert(1)&gt;"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    await server.close(1008, '<i>policy</i>');
    await view(el, 'failed');
    expect(shownMessage(el)).to.equal('<b>gone</b><img src=x onerror=alert(1)>');
    expect(text(el, 'reason')).to.equal('<i>policy</i>');
    expect(el.shadowRoot!.querySelector('b, i, img')).to.equal(null);
  });

  it('uses disconnected-message while reconnecting when no reconnecting-message is set (as Panel)', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" grace-period="0" delays="30000" disconnected-message="Lost the server."></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    await server.stop();
    await view(el, 'reconnecting');
    expect(shownMessage(el)).to.equal('Lost the server.');
    el.setAttribute('reconnecting-message', 'Trying again.');
    await el.updateComplete;
    expect(shownMessage(el)).to.equal('Trying again.');
  });

  it('uses slotted markup in place of the default text', async () => {
    const server = await startServer();
    await server.stop();
    const el = await mount(
      `<reconnecting-session url="${server.url}" delays="10" max-attempts="1" jitter="0"><main>app</main><span slot="failed">We lost the <em>server</em>.</span></reconnecting-session>`,
    );
    await view(el, 'failed');
    expect(shownMessage(el)).to.equal('We lost the server.');
    const alert = () => el.shadowRoot!.querySelector('[role="alert"]')!.textContent!.trim();
    expect(alert()).to.equal('We lost the server.');
    // Markup swapped while the notice shows: what is announced follows.
    el.querySelector('[slot="failed"]')!.remove();
    el.insertAdjacentHTML('beforeend', '<b slot="failed">Server gone.</b>');
    await waitUntil(() => alert() === 'Server gone.', `announced ${alert()}`);
  });

  it('shows the offline view while paused for the network', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" grace-period="0" delays="5000"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    await whileOffline(async () => {
      await server.stop();
      await view(el, 'offline');
      expect(shownMessage(el)).to.equal('You are offline. Waiting for the network…');
      expect(el.statusDetail!.cause).to.equal('offline');
      await expect(el).shadowDom.to.be.accessible();
    });
  });

  it('shows the disconnected view when reconnect is off', async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session url="${server.url}" reconnect="off"></reconnecting-session>`);
    await waitForStatus(el, 'open');
    await server.drop();
    await view(el, 'disconnected');
    expect(text(el, 'retry-button')).to.equal('Reconnect');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('shows the expired view with a cancelable reload when a session cannot be resumed', async () => {
    const server = await startSessionServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" protocol="session" delays="20" jitter="0"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    await server.crash();
    await view(el, 'expired');
    expect(shownMessage(el)).to.equal('Your session has expired. Reload the page to continue.');
    await expect(el).shadowDom.to.be.accessible();
    el.addEventListener('session-reload', (e) => e.preventDefault());
    const reload = oneEvent(el, 'session-reload');
    part(el, 'reload-button')!.click();
    await reload;
    part(el, 'dismiss-button')!.click();
    await el.updateComplete;
    expect(part(el, 'overlay')).to.equal(null);
  });

  it('reports the real reason with session-reload, and Dismiss does not bring up "Reconnected."', async () => {
    const server = await startSessionServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" protocol="session" grace-period="0" delays="300" jitter="0" reconnected-duration="60000"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    const fresh = oneEvent(el, 'session-new');
    await server.crash();
    const reason = (await fresh).detail.reason;
    expect(reason).to.equal('unknown');
    await view(el, 'expired');
    el.addEventListener('session-reload', (e) => e.preventDefault());
    const reload = oneEvent(el, 'session-reload');
    part(el, 'reload-button')!.click();
    expect((await reload).detail.reason).to.equal(reason);
    part(el, 'dismiss-button')!.click();
    await el.updateComplete;
    expect(part(el, 'overlay')?.className ?? null).to.equal(null);
  });

  it("announces the server's close reason with the failure in toast mode", async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session url="${server.url}"></reconnecting-session>`);
    await waitForStatus(el, 'open');
    await server.close(1008, 'Signed out elsewhere.');
    await view(el, 'failed');
    expect(text(el, 'reason')).to.equal('Signed out elsewhere.');
    const alert = el.shadowRoot!.querySelector('[role="alert"]')!.textContent!.trim();
    expect(alert).to.equal('Could not reconnect. Signed out elsewhere.');
  });

  it('modal mode blocks the app while toast mode leaves it usable', async () => {
    for (const mode of ['modal', 'toast']) {
      const server = await startServer();
      await server.stop();
      const el = await mount(
        `<reconnecting-session url="${server.url}" overlay="${mode}" delays="10" max-attempts="1" jitter="0"><button id="app-${mode}">app</button></reconnecting-session>`,
      );
      await view(el, 'failed');
      const app = el.querySelector<HTMLButtonElement>(`#app-${mode}`)!;
      app.focus();
      const blocked = document.activeElement !== app;
      expect(blocked, `${mode} blocks the app`).to.equal(mode === 'modal');
      expect(part(el, 'backdrop') !== null).to.equal(mode === 'modal');
      if (mode === 'modal') {
        expect(part(el, 'overlay')!.getAttribute('role')).to.equal('alertdialog');
        expect(part(el, 'overlay')!.getAttribute('aria-modal')).to.equal('true');
      }
      await expect(el).shadowDom.to.be.accessible();
    }
  });

  for (const mode of ['toast', 'modal']) {
    it(`gives focus back to the app once the trouble is over (${mode})`, async () => {
      const server = await startServer();
      const el = await mount(
        `<reconnecting-session url="${server.url}" overlay="${mode}" grace-period="0" delays="10" max-attempts="1" jitter="0" reconnected-duration="100"><input id="field"></reconnecting-session>`,
      );
      await waitForStatus(el, 'open');
      const field = el.querySelector('input')!;
      field.focus();
      await server.stop();
      await view(el, 'failed');
      // Only a modal takes focus (onto its retry button); a toast leaves it in the field.
      const expected = mode === 'modal' ? 'reconnecting-session' : 'input';
      await waitUntil(() => document.activeElement?.localName === expected, `focus is not on ${expected}`);
      await server.restart();
      (part(el, 'retry-button') as HTMLButtonElement).click();
      await waitForStatus(el, 'open');
      await waitUntil(() => part(el, 'overlay') === null, 'overlay stayed');
      expect(document.activeElement?.id).to.equal('field');
    });
  }

  it('shows the modal\'s "Reconnected." where the modal was, not in a corner', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" overlay="modal" grace-period="0" delays="30000" jitter="0" reconnected-duration="60000"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    await server.stop();
    await view(el, 'reconnecting');
    // Layout boxes (offset*), not client rects: the entry animation's translate would move those.
    const centre = (e: HTMLElement) => [
      Math.round(e.offsetLeft + e.offsetWidth / 2),
      Math.round(e.offsetTop + e.offsetHeight / 2),
    ];
    const before = centre(part(el, 'overlay')!);
    await server.restart();
    el.retryNow();
    await view(el, 'reconnected');
    const after = centre(part(el, 'overlay')!);
    // offset* are whole pixels: allow their rounding.
    expect(
      Math.abs(after[0]! - before[0]!) <= 1 && Math.abs(after[1]! - before[1]!) <= 1,
      `${after} vs ${before}`,
    ).to.equal(true);
  });

  it('says "Connecting" for a first connection that has not succeeded yet', async () => {
    const server = await startServer();
    await server.stop();
    const el = await mount(
      `<reconnecting-session url="${server.url}" grace-period="0" delays="30000" jitter="0"></reconnecting-session>`,
    );
    await view(el, 'reconnecting');
    await waitUntil(() => el.statusDetail?.nextAttemptAt != null, 'no wait scheduled');
    await el.updateComplete;
    expect(shownMessage(el)).to.equal('Connecting to the server…');
    expect(text(el, 'countdown')).to.match(/^Trying again in (30|29) s…$/);
    expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent!.trim()).to.equal('Connecting to the server…');
  });

  it('says the server is restarting when it drains for a deploy (1012), not "Connection lost."', async () => {
    const server = await startSessionServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" protocol="session" grace-period="0"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    await server.drain(20000, 0);
    await view(el, 'reconnecting');
    expect(el.statusDetail!.code).to.equal(1012);
    expect(shownMessage(el)).to.equal('The server is restarting.');
    await server.endDrain();
  });

  it('renders nothing with overlay="none"', async () => {
    const server = await startServer();
    await server.stop();
    const el = await mount(
      `<reconnecting-session url="${server.url}" overlay="none" delays="10" max-attempts="1" jitter="0"></reconnecting-session>`,
    );
    await waitForStatus(el, 'failed');
    await el.updateComplete;
    expect(part(el, 'overlay')).to.equal(null);
    expect(el.shadowRoot!.querySelector('[role]')).to.equal(null);
  });

  it('shows nothing when the connection drops because the page is unloading', async () => {
    const server = await startServer();
    const el = await mount(`<reconnecting-session url="${server.url}" grace-period="0"></reconnecting-session>`);
    await waitForStatus(el, 'open');
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
    await server.drop();
    await new Promise((r) => setTimeout(r, 300));
    await el.updateComplete;
    expect(part(el, 'overlay')).to.equal(null);
    expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent!.trim()).to.equal('');
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: false }));
  });

  itIn(
    ['chromium'],
    'colour scheme and reduced motion are emulated through CDP',
    'follows prefers-color-scheme and prefers-reduced-motion, and takes its position',
    async () => {
      const server = await startServer();
      await server.stop();
      const el = await mount(
        `<reconnecting-session url="${server.url}" position="top-left" grace-period="0" delays="30000"></reconnecting-session>`,
      );
      await view(el, 'reconnecting');
      const box = part(el, 'overlay')!.getBoundingClientRect();
      expect(box.top < 100 && box.left < 100, `at ${box.left},${box.top}`).to.equal(true);
      try {
        await emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
        const light = getComputedStyle(part(el, 'overlay')!).backgroundColor;
        expect(getComputedStyle(part(el, 'spinner')!).animationName).to.equal('spin');
        await emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
        expect(getComputedStyle(part(el, 'overlay')!).backgroundColor).to.not.equal(light);
        expect(getComputedStyle(part(el, 'spinner')!).animationName).to.equal('none');
        await expect(el).shadowDom.to.be.accessible();
      } finally {
        await emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
      }
    },
  );

  it('takes the offline text from offline-message, as text', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" grace-period="0" delays="5000" offline-message="No &lt;b&gt;network&lt;/b&gt; here."></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    await whileOffline(async () => {
      await server.stop();
      await view(el, 'offline');
      expect(shownMessage(el)).to.equal('No <b>network</b> here.');
      expect(el.shadowRoot!.querySelector('b')).to.equal(null);
      expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent!.trim()).to.equal('No <b>network</b> here.');
    });
  });

  it('takes the expired text from expired-message, as text', async () => {
    const server = await startSessionServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" protocol="session" delays="20" jitter="0" expired-message="Start &lt;i&gt;over&lt;/i&gt;, please."></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    await server.crash();
    await view(el, 'expired');
    expect(shownMessage(el)).to.equal('Start <i>over</i>, please.');
    expect(el.shadowRoot!.querySelector('i')).to.equal(null);
    expect(el.shadowRoot!.querySelector('[role="alert"]')!.textContent!.trim()).to.equal('Start <i>over</i>, please.');
  });

  it('takes the confirmation text from reconnected-message, as text', async () => {
    const server = await startServer();
    await server.stop();
    const el = await mount(
      `<reconnecting-session url="${server.url}" delays="10" max-attempts="1" jitter="0" reconnected-duration="10000" reconnected-message="Back &lt;u&gt;online&lt;/u&gt;!"></reconnecting-session>`,
    );
    await view(el, 'failed');
    await server.restart();
    part(el, 'retry-button')!.click();
    await waitForStatus(el, 'open');
    await view(el, 'reconnected');
    expect(shownMessage(el)).to.equal('Back <u>online</u>!');
    expect(el.shadowRoot!.querySelector('u')).to.equal(null);
  });

  it('attempts at once when "Retry now" is clicked while waiting out a long delay', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" grace-period="0" delays="30000" jitter="0"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    await server.stop();
    await view(el, 'reconnecting');
    await waitUntil(() => el.statusDetail?.nextAttemptAt != null, 'no wait scheduled');
    await el.updateComplete;
    const scheduled = el.statusDetail!.nextAttemptAt!;
    const button = part(el, 'retry-button') as HTMLButtonElement;
    expect(text(el, 'retry-button')).to.equal('Retry now');
    expect(button.getAttribute('aria-disabled')).to.equal('false');
    await server.restart();
    const before = (await server.stats()).connections;
    const retried = oneEvent(el, 'session-retry');
    button.click();
    expect((await retried).detail.status).to.equal('reconnecting');
    await waitForStatus(el, 'open');
    expect(Date.now() < scheduled, 'opened only when the scheduled attempt came').to.equal(true);
    expect((await server.stats()).connections).to.equal(before + 1);
  });

  it('announces reconnecting and the confirmation politely, and the expired notice assertively', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" grace-period="0" delays="30000" jitter="0" reconnected-duration="10000"></reconnecting-session>`,
    );
    const polite = () => el.shadowRoot!.querySelector('[role="status"]')!;
    const assertive = () => el.shadowRoot!.querySelector('[role="alert"]')!;
    await waitForStatus(el, 'open');
    expect(polite().getAttribute('aria-live')).to.equal('polite');
    expect(assertive().getAttribute('aria-live')).to.equal('assertive');
    await server.stop();
    await view(el, 'reconnecting');
    expect(polite().textContent!.trim()).to.equal('Connection lost. Reconnecting…');
    expect(assertive().textContent!.trim()).to.equal('');
    await waitUntil(() => el.statusDetail?.nextAttemptAt != null, 'no wait scheduled');
    await server.restart();
    el.retryNow();
    await waitForStatus(el, 'open');
    await view(el, 'reconnected');
    expect(polite().textContent!.trim()).to.equal('Reconnected.');
    expect(assertive().textContent!.trim()).to.equal('');

    const sessionServer = await startSessionServer();
    const expiring = await mount(
      `<reconnecting-session url="${sessionServer.url}" protocol="session" delays="20" jitter="0"></reconnecting-session>`,
    );
    await waitForStatus(expiring, 'open');
    await sessionServer.crash();
    await view(expiring, 'expired');
    const alert = expiring.shadowRoot!.querySelector('[role="alert"]')!;
    expect(alert.getAttribute('aria-live')).to.equal('assertive');
    expect(alert.textContent!.trim()).to.equal('Your session has expired. Reload the page to continue.');
    expect(expiring.shadowRoot!.querySelector('[role="status"]')!.textContent!.trim()).to.equal('');
  });

  it('takes its look from the custom properties and from ::part rules of the page', async () => {
    const server = await startServer();
    await server.stop();
    const el = await mount(
      `<style>
        reconnecting-session.themed::part(overlay) { border-top-left-radius: 3px; }
        reconnecting-session.themed::part(countdown) { font-style: italic; }
        reconnecting-session.themed::part(retry-button) { text-transform: uppercase; }
      </style>
      <reconnecting-session class="themed" url="${server.url}" grace-period="0" delays="30000" jitter="0"
        style="--reconnecting-session-overlay-background: rgb(1, 2, 3); --reconnecting-session-overlay-color: rgb(4, 5, 6);
          --reconnecting-session-accent-color: rgb(7, 8, 9); --reconnecting-session-z-index: 42;
          --reconnecting-session-overlay-padding: 11px;"></reconnecting-session>`,
    );
    await view(el, 'reconnecting');
    const overlay = getComputedStyle(part(el, 'overlay')!);
    expect(overlay.backgroundColor).to.equal('rgb(1, 2, 3)');
    expect(overlay.color).to.equal('rgb(4, 5, 6)');
    expect(overlay.borderLeftColor).to.equal('rgb(7, 8, 9)');
    expect(overlay.zIndex).to.equal('42');
    expect(overlay.paddingTop).to.equal('11px');
    expect(getComputedStyle(part(el, 'retry-button')!).backgroundColor).to.equal('rgb(7, 8, 9)');
    expect(overlay.borderTopLeftRadius).to.equal('3px');
    expect(getComputedStyle(part(el, 'countdown')!).fontStyle).to.equal('italic');
    expect(getComputedStyle(part(el, 'retry-button')!).textTransform).to.equal('uppercase');
  });

  it('passes the accessibility audit in modal mode while reconnecting and when expired', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" overlay="modal" grace-period="0" delays="30000" jitter="0"><button>app</button></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    await server.stop();
    await view(el, 'reconnecting');
    await waitUntil(() => el.statusDetail?.nextAttemptAt != null, 'no wait scheduled');
    await el.updateComplete;
    expect(part(el, 'overlay')!.getAttribute('role')).to.equal('alertdialog');
    await expect(el).shadowDom.to.be.accessible();

    const sessionServer = await startSessionServer();
    const expiring = await mount(
      `<reconnecting-session url="${sessionServer.url}" protocol="session" overlay="modal" delays="20" jitter="0"><button>app</button></reconnecting-session>`,
    );
    await waitForStatus(expiring, 'open');
    await sessionServer.crash();
    await view(expiring, 'expired');
    expect(part(expiring, 'overlay')!.getAttribute('role')).to.equal('alertdialog');
    await expect(expiring).shadowDom.to.be.accessible();
  });

  it('uses slotted markup for the reconnecting text and keeps the countdown', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" grace-period="0" delays="30000" jitter="0"><main>app</main><span slot="reconnecting">Hold on, <em>the server</em> is back soon.</span></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    await server.stop();
    await view(el, 'reconnecting');
    await waitUntil(() => el.statusDetail?.nextAttemptAt != null, 'no wait scheduled');
    await el.updateComplete;
    expect(shownMessage(el)).to.equal('Hold on, the server is back soon.');
    expect(text(el, 'countdown')).to.match(/^Reconnecting in (30|29) s…$/);
    expect(text(el, 'attempt')).to.equal('Attempt 1 of 6');
    expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent!.trim()).to.equal(
      'Hold on, the server is back soon. Reconnecting…',
    );
  });

  it('does not change the layout of the app it wraps', async () => {
    const el = await mount(`<reconnecting-session manual><p id="p">x</p></reconnecting-session>`);
    expect(getComputedStyle(el).display).to.equal('contents');
  });
});
