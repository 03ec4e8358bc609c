import { expect, oneEvent } from '@open-wc/testing';
import type { SessionSignInEvent } from '../../src/events.js';
import type { ReconnectingSessionElement } from '../../src/reconnecting-session.js';
import { cleanup, mount, mountInFrame, startServer, startSessionServer, waitForStatus, waitUntil } from './helpers.js';
import { part, shownMessage, text, view } from './overlay-helpers.js';

const alert = (el: ReconnectingSessionElement) => el.shadowRoot!.querySelector('[role="alert"]')!.textContent!.trim();

/** An element in an iframe, signed out by a 4403, so that its Sign in button may reload a page: the frame's. */
async function signedOutInFrame() {
  const server = await startServer({ echo: false });
  const el = await mountInFrame(`<reconnecting-session url="${server.url}"></reconnecting-session>`, 480, 320);
  await waitForStatus(el, 'open');
  await server.close(4403, 'not yours');
  await view(el, 'signed-out');
  const win = el.ownerDocument.defaultView as Window & { notReloaded?: boolean };
  win.notReloaded = true;
  const frame = win.frameElement as HTMLIFrameElement;
  const reloaded = new Promise<boolean>((resolve) => frame.addEventListener('load', () => resolve(true)));
  /** Whether the frame reloaded within `ms`. */
  const reloadedWithin = (ms: number) =>
    Promise.race([reloaded, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
  return { el, win, frame, reloadedWithin };
}

describe('<reconnecting-session> signed-out notice', () => {
  afterEach(cleanup);

  it('a credential refused twice (4401) shows signed-out-message as text, with Sign in and no retry', async () => {
    const server = await startSessionServer({ testUsers: true });
    const el = await mount(
      `<reconnecting-session url="${server.url}" protocol="session" manual signed-out-message="Please &lt;b&gt;sign in&lt;/b&gt; again."></reconnecting-session>`,
    );
    el.auth = 'not-a-user';
    el.connect();
    await view(el, 'signed-out');
    expect([el.statusDetail!.cause, el.statusDetail!.code]).to.deep.equal(['auth', 4401]);
    expect((await server.stats()).connections, 'one immediate retry').to.equal(2);
    expect(shownMessage(el)).to.equal('Please <b>sign in</b> again.');
    expect(el.shadowRoot!.querySelector('b')).to.equal(null);
    expect(text(el, 'sign-in-button')).to.equal('Sign in');
    expect(['retry-button', 'countdown', 'attempt', 'reason', 'spinner'].filter((p) => part(el, p))).to.deep.equal([]);
    expect(alert(el)).to.equal('Please <b>sign in</b> again.');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('a 4403 shows the slotted content in place of the text, and announces it', async () => {
    const server = await startServer({ echo: false });
    const el = await mount(
      `<reconnecting-session url="${server.url}" signed-out-message="Not this."><span slot="signed-out">Your <em>account</em> was closed.</span></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    await server.close(4403, 'not yours');
    await view(el, 'signed-out');
    expect(shownMessage(el)).to.equal('Your account was closed.');
    expect(alert(el)).to.equal('Your account was closed.');
    expect(part(el, 'overlay')!.classList.contains('failed')).to.equal(false);
  });

  it('an auth function that fails shows the default text; any other failure keeps the failed notice', async () => {
    const server = await startServer({ echo: false });
    const el = await mount(
      `<reconnecting-session url="${server.url}" protocol="session" manual failed-message="Failed."></reconnecting-session>`,
    );
    el.auth = () => Promise.reject(new Error('no token'));
    el.connect();
    await view(el, 'signed-out');
    expect(shownMessage(el)).to.equal('You are signed out.');
    el.auth = null;
    el.setAttribute('protocol', 'plain');
    el.retryNow();
    await waitForStatus(el, 'open');
    await server.close(1008, 'policy');
    await view(el, 'failed');
    expect(shownMessage(el)).to.equal('Failed.');
    expect(part(el, 'sign-in-button')).to.equal(null);
  });

  for (const mode of ['modal', 'toast']) {
    it(`moves focus as the failed notice does: a modal onto Sign in, a toast nowhere (${mode})`, async () => {
      const server = await startServer({ echo: false });
      const el = await mount(
        `<reconnecting-session url="${server.url}" overlay="${mode}"><input id="field"></reconnecting-session>`,
      );
      await waitForStatus(el, 'open');
      const field = el.querySelector('input')!;
      field.focus();
      await server.close(4403);
      await view(el, 'signed-out');
      if (mode === 'modal') {
        await waitUntil(() => el.shadowRoot!.activeElement !== null, 'the modal did not take focus');
        // Booleans, not elements: a failed element comparison makes chai's diff crash the browser tab.
        expect(el.shadowRoot!.activeElement === part(el, 'sign-in-button'), 'focus on Sign in').to.equal(true);
        expect(text(el, 'title')).to.equal('Signed out');
      } else {
        expect(document.activeElement === field, 'a toast leaves focus alone').to.equal(true);
      }
    });
  }

  it('Sign in fires a cancelable, bubbling, composed session-signin; preventDefault() keeps the page', async () => {
    const { el, win, reloadedWithin } = await signedOutInFrame();
    const fired = oneEvent(el.ownerDocument, 'session-signin') as Promise<SessionSignInEvent>;
    el.addEventListener('session-signin', (e) => e.preventDefault());
    part(el, 'sign-in-button')!.click();
    const e = await fired;
    expect([e.bubbles, e.composed, e.cancelable, e.defaultPrevented]).to.deep.equal([true, true, true, true]);
    expect(e.detail).to.deep.equal({ code: 4403 });
    expect(await reloadedWithin(1500), 'the page reloaded').to.equal(false);
    expect(win.notReloaded).to.equal(true);
  });

  it('Sign in reloads the page when nothing cancels session-signin', async () => {
    const { el, frame, reloadedWithin } = await signedOutInFrame();
    part(el, 'sign-in-button')!.click();
    expect(await reloadedWithin(5000), 'the page did not reload').to.equal(true);
    const after = frame.contentWindow as Window & { notReloaded?: boolean };
    expect(after.notReloaded).to.equal(undefined);
  });
});
