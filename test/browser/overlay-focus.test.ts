import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { cleanup, collect, mount, startServer, startSessionServer, waitForStatus, waitUntil } from './helpers.js';
import { part, view } from './overlay-helpers.js';
import { OverlayFocus } from '../../src/overlay/overlay-focus.js';

describe('<reconnecting-session> overlay focus', () => {
  afterEach(cleanup);

  for (const reconnect of ['auto', 'prompt']) {
    it(`a failure toast never moves keyboard focus, and typing goes on into the page (reconnect=${reconnect})`, async () => {
      const server = await startServer();
      const el = await mount(
        `<reconnecting-session url="${server.url}" reconnect="${reconnect}" delays="10" max-attempts="1" jitter="0"><input id="field"></reconnecting-session>`,
      );
      await waitForStatus(el, 'open');
      const field = el.querySelector('input')!;
      field.focus();
      const retries = collect(el, 'session-retry');
      await server.stop();
      await view(el, 'failed');
      // Booleans, not elements: a failed element comparison makes chai's diff crash the browser tab.
      expect(document.activeElement === field, 'focus stayed in the field').to.equal(true);
      // Two commands: WebKitWebDriver drops a key repeated within one.
      await sendKeys({ type: 'a b' });
      await sendKeys({ type: ' ' });
      expect(field.value).to.equal('a b ');
      expect(retries.length, 'spaces activated Retry').to.equal(0);
    });
  }

  it('a modal takes focus when it opens and gives it back when the connection is back', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" overlay="modal" grace-period="0" delays="30000" jitter="0" reconnected-duration="0"><input id="field"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    const field = el.querySelector('input')!;
    field.focus();
    await server.stop();
    await view(el, 'reconnecting');
    await waitUntil(() => el.shadowRoot!.activeElement !== null, 'the modal did not take focus');
    expect(el.shadowRoot!.activeElement === part(el, 'retry-button'), 'focus on Retry now').to.equal(true);
    await server.restart();
    el.retryNow();
    await waitForStatus(el, 'open');
    await waitUntil(() => part(el, 'overlay') === null, 'overlay stayed');
    expect(document.activeElement === field, 'focus came back to the field').to.equal(true);
  });

  it('a modal switched to a toast gives focus back (a toast never holds it)', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" overlay="modal" grace-period="0" delays="30000" jitter="0"><input id="field"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    const field = el.querySelector('input')!;
    field.focus();
    await server.stop();
    await view(el, 'reconnecting');
    await waitUntil(() => el.shadowRoot!.activeElement !== null, 'the modal did not take focus');
    el.setAttribute('overlay', 'toast');
    await el.updateComplete;
    expect(part(el, 'overlay')!.classList.contains('toast')).to.equal(true);
    expect(document.activeElement === field, `focus is on ${document.activeElement?.localName}`).to.equal(true);
  });

  it('a modal switched to a toast lets go of focus when nothing had it before', async () => {
    const server = await startServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" overlay="modal" grace-period="0" delays="30000" jitter="0"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    (document.activeElement as HTMLElement | null)?.blur();
    await server.stop();
    await view(el, 'reconnecting');
    await waitUntil(() => el.shadowRoot!.activeElement !== null, 'the modal did not take focus');
    el.setAttribute('overlay', 'toast');
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement === null, 'the toast still holds focus').to.equal(true);
  });

  for (const mode of ['modal', 'toast']) {
    it(`Dismiss on the expired notice gives focus back to where it was (${mode})`, async () => {
      const server = await startSessionServer();
      const el = await mount(
        `<reconnecting-session url="${server.url}" protocol="session" overlay="${mode}" delays="20" jitter="0"><input id="field"></reconnecting-session>`,
      );
      await waitForStatus(el, 'open');
      const field = el.querySelector('input')!;
      field.focus();
      await server.crash();
      await view(el, 'expired');
      const dismiss = part(el, 'dismiss-button')!;
      if (mode === 'modal') {
        await waitUntil(() => el.shadowRoot!.activeElement !== null, 'the modal did not take focus');
        expect(el.shadowRoot!.activeElement === part(el, 'reload-button'), 'focus on Reload').to.equal(true);
      } else {
        expect(document.activeElement === field, 'a toast leaves focus alone').to.equal(true);
        // The person tabs into the toast.
        dismiss.focus();
      }
      dismiss.click();
      await waitUntil(() => part(el, 'overlay') === null, 'notice stayed');
      expect(document.activeElement === field, `focus is on ${document.activeElement?.localName}`).to.equal(true);
    });
  }
});

describe('OverlayFocus', () => {
  let page: HTMLInputElement;
  let host: HTMLElement;
  let focus: OverlayFocus;
  const root = () => host.shadowRoot!;
  const draw = (overlay: boolean) =>
    root().replaceChildren(
      ...(overlay ? [Object.assign(document.createElement('div'), { innerHTML: '<button>Retry</button>' })] : []),
    );
  const button = () => root().querySelector('button');

  beforeEach(() => {
    page = document.createElement('input');
    host = document.createElement('div');
    host.attachShadow({ mode: 'open' });
    document.body.append(page, host);
    focus = new OverlayFocus(host, root);
    page.focus();
  });
  afterEach(() => {
    page.remove();
    host.remove();
  });

  const renderAs = (blocking: boolean, settled: boolean) => {
    focus.beforeRender(blocking);
    draw(!settled);
    root().firstElementChild?.setAttribute('part', 'overlay');
    focus.afterRender(settled);
  };

  it('moves focus into a modal when it opens and gives it back when the trouble is over', () => {
    renderAs(true, false);
    expect(root().activeElement).to.equal(button());
    renderAs(false, true);
    expect(document.activeElement).to.equal(page);
  });

  it('never takes focus for a toast', () => {
    renderAs(false, false);
    expect(document.activeElement).to.equal(page);
    expect(root().activeElement).to.equal(null);
  });

  it('does not take focus back from where the person has put it since', () => {
    renderAs(true, false);
    const elsewhere = document.createElement('button');
    document.body.append(elsewhere);
    try {
      elsewhere.focus();
      renderAs(false, true);
      expect(document.activeElement).to.equal(elsewhere);
    } finally {
      elsewhere.remove();
    }
  });

  it('remembers where a person came from into a toast, for restore()', () => {
    renderAs(false, false);
    const from = page;
    button()!.focus();
    focus.focusIn(new FocusEvent('focusin', { relatedTarget: from }));
    button()!.blur();
    focus.restore();
    expect(document.activeElement).to.equal(page);
  });
});
