import { expect } from '@open-wc/testing';
import type { ReconnectingSessionElement } from '../../src/reconnecting-session.js';
import { cleanup, mountInFrame, startServer, waitUntil } from './helpers.js';
import { part, view } from './overlay-helpers.js';

/** Words of the overlay's own text that the layout split over two lines. */
function splitWords(el: ReconnectingSessionElement): string[] {
  const split: string[] = [];
  const doc = el.ownerDocument;
  const walker = doc.createTreeWalker(part(el, 'overlay')!, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.textContent!.matchAll(/\S+/g)) {
      const range = doc.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      if (range.getClientRects().length > 1) split.push(m[0]);
    }
  }
  return split;
}

const LONG =
  'The service is being upgraded to a new version. Your changes are kept on this device and will be sent as soon as the connection is back; there is no need to reload or to type anything again.';

// In an iframe of a phone's width: the same in every engine, where the window itself cannot be made that small.
describe('<reconnecting-session> overlay layout', () => {
  afterEach(cleanup);

  for (const [position, mode] of [
    ['bottom-right', 'toast'],
    ['top', 'toast'],
    ['bottom', 'toast'],
    ['center', 'toast'],
    ['bottom-right', 'modal'],
  ]) {
    it(`uses the available width at 360 px and never breaks inside a word (${position}, ${mode})`, async () => {
      const server = await startServer();
      await server.stop();
      const el = await mountInFrame(
        `<reconnecting-session url="${server.url}" overlay="${mode}" position="${position}" grace-period="0" delays="30000" jitter="0" reconnecting-message="${LONG}"></reconnecting-session>`,
        360,
        740,
      );
      await view(el, 'reconnecting');
      await waitUntil(() => el.statusDetail?.nextAttemptAt != null, 'no wait scheduled');
      await el.updateComplete;
      const box = part(el, 'overlay')!.getBoundingClientRect();
      expect(box.width, `width ${box.width}`).to.be.at.least(360 - 32 - 1);
      expect(box.left >= 0 && box.right <= 360, `from ${box.left} to ${box.right}`).to.equal(true);
      expect(splitWords(el)).to.deep.equal([]);
    });
  }

  it('puts the buttons below a long message and scrolls inside a box no taller than the screen', async () => {
    const server = await startServer();
    await server.stop();
    const el = await mountInFrame(
      `<reconnecting-session url="${server.url}" delays="10" max-attempts="1" jitter="0" failed-message="${LONG}"></reconnecting-session>`,
      360,
      740,
    );
    await view(el, 'failed');
    const body = part(el, 'message')!.getBoundingClientRect();
    const button = part(el, 'retry-button')!.getBoundingClientRect();
    expect(button.top >= body.bottom, `button at ${button.top}, text ends at ${body.bottom}`).to.equal(true);
    expect(body.width, `text ${body.width} px wide`).to.be.at.least(250);
    el.setAttribute('failed-message', LONG.repeat(12));
    await el.updateComplete;
    const overlay = part(el, 'overlay')!;
    const box = overlay.getBoundingClientRect();
    expect(box.top >= 0 && box.bottom <= 740, `from ${box.top} to ${box.bottom}`).to.equal(true);
    expect(overlay.scrollHeight > overlay.clientHeight, 'scrolls inside').to.equal(true);
    expect(el.ownerDocument.defaultView!.getComputedStyle(overlay).overflowY).to.equal('auto');
  });
});
