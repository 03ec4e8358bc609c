import { expect } from '@open-wc/testing';
import type { SessionStatusEvent } from '../../src/events.js';
import { cleanup, collect, startSessionServer, waitForStatus } from './helpers.js';

describe('<reconnecting-session> with credentials in its URL', () => {
  afterEach(() => {
    sessionStorage.clear();
    return cleanup();
  });

  it('keeps user and password out of every status event and the default persist key', async () => {
    const server = await startSessionServer();
    const url = server.url.replace('ws://', 'ws://alice:s3cret@');
    const host = document.createElement('div');
    document.body.append(host);
    const el = document.createElement('reconnecting-session');
    const statuses = collect<SessionStatusEvent>(el, 'session-status');
    el.setAttribute('url', url);
    el.setAttribute('protocol', 'session');
    el.setAttribute('persist', '');
    el.setAttribute('delays', '50');
    host.append(el);
    try {
      await waitForStatus(el, 'open');
      el.disconnect();
      expect(statuses.length).to.be.greaterThan(1);
      for (const e of statuses) expect(e.detail.url ?? '').not.to.match(/alice|s3cret/);
      expect(statuses[0]!.detail.url).to.equal(server.url);
      const keys = Object.keys(sessionStorage);
      expect(keys.length, 'a session was persisted').to.equal(1);
      expect(keys[0]).not.to.match(/alice|s3cret/);
      expect(keys[0]).to.contain(server.url);
    } finally {
      host.remove();
    }
  });
});
