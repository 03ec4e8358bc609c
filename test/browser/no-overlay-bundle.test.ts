import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';

// The built bundle registers <reconnecting-session> itself: this page loads nothing else of the element
// (helpers.js would register the source build first).
const bundle = '/dist/bundle/reconnecting-session.no-overlay.min.js';

interface ElementApi extends HTMLElement {
  status: string;
  send(data: unknown): number | null;
  disconnect(): void;
}

const server = (action: string, extra: object = {}) =>
  executeServerCommand<Record<string, unknown>, object>('ws', { action, ...extra });

describe('the no-overlay bundle', () => {
  let id: unknown;

  before(async () => {
    await import(bundle);
  });

  afterEach(async () => {
    document.body.replaceChildren();
    if (id !== undefined) await server('dispose', { id });
    id = undefined;
  });

  it('connects, resumes a session and delivers messages with the same events, and never draws an overlay', async () => {
    const started = await server('start', { mode: 'session' });
    id = started.id;
    const el = document.createElement('reconnecting-session') as ElementApi;
    // Everything that would show a notice at once if the overlay were there.
    for (const [name, value] of Object.entries({
      url: started.url as string,
      protocol: 'session',
      overlay: 'modal',
      'grace-period': '0',
      delays: '60000',
      jitter: '0',
    }))
      el.setAttribute(name, value);
    el.innerHTML = '<p id="app">app</p>';
    const opened = oneEvent(el, 'session-new');
    document.body.append(el);
    expect((await opened).detail.resumed).to.equal(false);
    await waitUntil(() => el.status === 'open', 'status open');
    expect(el.getAttribute('status')).to.equal('open');

    const echoed = oneEvent(el, 'session-message');
    expect(el.send({ hello: 1 })).to.equal(1);
    expect((await echoed).detail).to.deep.equal({ data: { echo: { hello: 1 } }, seq: 1 });

    const reconnecting = oneEvent(el, 'session-status');
    await server('drop', { id });
    expect((await reconnecting).detail.status).to.equal('reconnecting');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The application stays in place through a default slot, and nothing else is rendered.
    const root = el.shadowRoot!;
    expect([...root.children].map((c) => c.localName)).to.deep.equal(['slot']);
    expect((root.firstElementChild as HTMLSlotElement).assignedElements()[0]?.id).to.equal('app');
    expect(getComputedStyle(el).display).to.equal('contents');

    const resumed = oneEvent(el, 'session-resumed');
    (el as unknown as { retryNow(): void }).retryNow();
    expect((await resumed).detail.resumed).to.equal(true);
    expect(root.children.length).to.equal(1);
  });
});
