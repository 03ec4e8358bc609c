import { expect } from '@open-wc/testing';
import { cleanup, mount, startSessionServer, waitForStatus } from './helpers.js';

describe('<reconnecting-session> attributes', () => {
  let warnings: string[];
  let realWarn: typeof console.warn;
  beforeEach(() => {
    warnings = [];
    realWarn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
  });
  afterEach(async () => {
    console.warn = realWarn;
    await cleanup();
  });

  it('falls back to defaults with one warning naming each invalid attribute and value', async () => {
    const el = await mount(
      `<reconnecting-session manual url="ftp://example.invalid/" jitter="1.5" delays="100,-5" max-attempts="two" reconnect="sometimes"></reconnecting-session>`,
    );
    expect(warnings).to.have.length(5);
    expect(warnings.some((w) => w.includes('jitter="1.5"'))).to.equal(true);
    expect(warnings.some((w) => w.includes('delays="100,-5"'))).to.equal(true);
    expect(warnings.some((w) => w.includes('max-attempts="two"'))).to.equal(true);
    expect(warnings.some((w) => w.includes('reconnect="sometimes"'))).to.equal(true);
    expect(warnings.some((w) => w.includes('url="ftp://example.invalid/"'))).to.equal(true);
    el.setAttribute('factor', '3');
    await el.updateComplete;
    expect(warnings, 'the same warning is not repeated').to.have.length(5);
  });

  for (const url of ['', null]) {
    it(`warns, naming url, when there is nothing to connect to (${url === null ? 'no url' : 'url=""'})`, async () => {
      const el = await mount(`<reconnecting-session ${url === null ? '' : `url="${url}"`}></reconnecting-session>`);
      expect(el.status).to.equal('idle');
      expect(warnings.filter((w) => w.includes('no url attribute'))).to.have.length(1);
    });
  }

  it('connect() without a url warns and shows visitors no useless Retry', async () => {
    const el = await mount(`<reconnecting-session manual></reconnecting-session>`);
    expect(warnings).to.deep.equal([]);
    el.connect();
    await el.updateComplete;
    expect(el.status).to.equal('failed');
    expect(el.statusDetail!.cause).to.equal('no-url');
    expect(warnings.filter((w) => w.includes('no url attribute'))).to.have.length(1);
    expect(el.shadowRoot!.querySelector('[part~="overlay"]')).to.equal(null);
  });

  it('reads enumerated attributes case-insensitively: protocol="SESSION" keeps the session protocol', async () => {
    const server = await startSessionServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" protocol="SESSION" reconnect="Auto"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    expect(warnings).to.deep.equal([]);
    expect(el.sessionId, 'a session was opened').to.be.a('string');
  });

  it('applies attributes set just before the element is added to an immediate send() (max-queue)', async () => {
    const el = document.createElement('reconnecting-session');
    el.setAttribute('manual', '');
    el.setAttribute('max-queue', '1');
    document.body.append(el);
    try {
      el.send('one');
      expect(() => el.send('two')).to.throw();
      expect(el.queued).to.equal(1);
      el.setAttribute('max-queue', '2');
      el.send('two');
      expect(el.queued).to.equal(2);
    } finally {
      el.remove();
    }
  });

  it('warns about a host-looking url without a scheme', async () => {
    await mount(`<reconnecting-session manual url="example.com/ws"></reconnecting-session>`);
    expect(warnings.filter((w) => w.includes('url="example.com/ws" has no scheme'))).to.have.length(1);
  });

  it('resolves relative and http URLs to WebSocket URLs', async () => {
    const el = await mount(`<reconnecting-session manual url="/ws"></reconnecting-session>`);
    expect(warnings).to.deep.equal([]);
    el.connect();
    expect(el.statusDetail!.url).to.equal(`ws://${location.host}/ws`);
    el.disconnect();
  });

  it('reflects status and session-id as attributes', async () => {
    const el = await mount(`<reconnecting-session manual session-id="s1"></reconnecting-session>`);
    expect(el.getAttribute('status')).to.equal('idle');
    expect(el.sessionId).to.equal('s1');
    el.sessionId = 's2';
    await el.updateComplete;
    expect(el.getAttribute('session-id')).to.equal('s2');
  });

  it('keeps status read-only: a written value is put back with a warning', async () => {
    const el = await mount(`<reconnecting-session manual status="open"></reconnecting-session>`);
    expect([el.status, el.getAttribute('status')]).to.deep.equal(['idle', 'idle']);
    el.status = 'failed';
    await el.updateComplete;
    expect(el.status).to.equal('idle');
    expect(warnings.filter((w) => w.includes('status is read-only'))).to.have.length(2);
  });

  it('warns about an invalid value set at run time, and keeps the default', async () => {
    const el = await mount(`<reconnecting-session manual url="ws://127.0.0.1:9/"></reconnecting-session>`);
    el.setAttribute('max-attempts', '-1');
    await el.updateComplete;
    expect(warnings.some((w) => w.includes('max-attempts="-1"'))).to.equal(true);
    el.connect();
    expect(el.statusDetail!.maxAttempts).to.equal(6);
    el.disconnect();
  });
});
