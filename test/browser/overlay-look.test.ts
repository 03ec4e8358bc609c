import { expect } from '@open-wc/testing';
import { emulateMedia, executeServerCommand } from '@web/test-runner-commands';
import { cleanup, itIn, mount, startServer, startSessionServer, waitForStatus } from './helpers.js';
import { part, view } from './overlay-helpers.js';

interface AxeResults {
  violations: { id: string; nodes: { target: string[] }[] }[];
}

const forcedColors = (active: boolean) => executeServerCommand('forced-colors', { active });

describe('<reconnecting-session> overlay look', () => {
  afterEach(cleanup);

  it('marks the expired notice with a warning colour, not the routine accent', async () => {
    const server = await startSessionServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" protocol="session" delays="20" jitter="0" style="--reconnecting-session-accent-color: rgb(1, 2, 3); --reconnecting-session-warning-color: rgb(200, 100, 0)"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    await server.crash();
    await view(el, 'expired');
    expect(getComputedStyle(part(el, 'overlay')!).borderLeftColor).to.equal('rgb(200, 100, 0)');
  });

  it('puts the toast in a labelled landmark (axe region rule on the whole page) and passes the audit', async () => {
    const server = await startServer();
    await server.stop();
    const el = await mount(
      `<reconnecting-session url="${server.url}" delays="10" max-attempts="1" jitter="0"></reconnecting-session>`,
    );
    await view(el, 'failed');
    await expect(el).shadowDom.to.be.accessible();
    const overlay = part(el, 'overlay')!;
    expect(overlay.getAttribute('role')).to.equal('region');
    expect(overlay.getAttribute('aria-label')).to.equal('Connection status');
    // The region rule runs only against a whole page: audit the document with it alone.
    const { axe } = window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<AxeResults> } };
    const results = await axe.run(document, { runOnly: ['region'] });
    const offending = results.violations.flatMap((v) => v.nodes.map((n) => n.target.join(' > ')));
    expect(offending).to.deep.equal([]);
  });

  it('gives the modal a heading that names it', async () => {
    const server = await startServer();
    await server.stop();
    const el = await mount(
      `<reconnecting-session url="${server.url}" overlay="modal" delays="10" max-attempts="1" jitter="0"><button>app</button></reconnecting-session>`,
    );
    await view(el, 'failed');
    const dialog = part(el, 'overlay')!;
    const heading = el.shadowRoot!.getElementById(dialog.getAttribute('aria-labelledby')!)!;
    expect(heading.localName).to.equal('h2');
    expect(heading.textContent!.trim()).to.equal('Connection failed');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('has buttons at least 36 px tall with a 44 px hit area', async () => {
    const server = await startServer();
    await server.stop();
    const el = await mount(
      `<reconnecting-session url="${server.url}" delays="10" max-attempts="1" jitter="0"></reconnecting-session>`,
    );
    await view(el, 'failed');
    // The entry animation would move the box between measuring and hit-testing.
    for (const a of part(el, 'overlay')!.getAnimations()) a.finish();
    const button = part(el, 'retry-button')!;
    const box = button.getBoundingClientRect();
    expect(box.height, `${box.height} px`).to.be.at.least(36);
    const x = box.left + box.width / 2;
    const top = box.top + box.height / 2 - 22 + 1;
    const bottom = box.top + box.height / 2 + 22 - 1;
    expect(el.shadowRoot!.elementFromPoint(x, top) === button, 'hit 22 px above the centre').to.equal(true);
    expect(el.shadowRoot!.elementFromPoint(x, bottom) === button, 'hit 22 px below the centre').to.equal(true);
  });

  itIn(
    ['chromium'],
    'forced colours and reduced motion are emulated through CDP',
    'keeps the spinner visibly turning in forced-colours mode, and still under reduced motion',
    async () => {
      const server = await startServer();
      await server.stop();
      const el = await mount(
        `<reconnecting-session url="${server.url}" grace-period="0" delays="30000"></reconnecting-session>`,
      );
      await view(el, 'reconnecting');
      try {
        await forcedColors(true);
        const spinner = getComputedStyle(part(el, 'spinner')!);
        expect(spinner.animationName).to.equal('spin');
        // A ring of one colour looks the same at every angle: the turning part must differ.
        expect(spinner.borderTopColor).to.not.equal(spinner.borderRightColor);
        await emulateMedia({ reducedMotion: 'reduce' });
        await forcedColors(true);
        expect(getComputedStyle(part(el, 'spinner')!).animationName).to.equal('none');
      } finally {
        await emulateMedia({ reducedMotion: 'no-preference' });
        await forcedColors(false);
      }
    },
  );
});
