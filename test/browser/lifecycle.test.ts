import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { cleanup, engine, itIn, startSessionServer, waitUntil } from './helpers.js';

interface Log {
  ticks: number[];
  resumed: number;
  news: string[];
  statuses: string[];
}

/** A second tab holding the element (freezing the test's own page would cut it off from the runner). */
async function openPage(wsUrl: string) {
  const page = (action: string, more: object = {}) => executeServerCommand('page', { action, ...more });
  const { id } = (await page('open', {
    url: `/test/browser/fixtures/lifecycle.html?ws=${encodeURIComponent(wsUrl)}`,
  })) as {
    id: number;
  };
  const evaluate = <T>(expression: string) => page('eval', { id, expression }) as Promise<T>;
  return {
    log: () => evaluate<Log>('window.log'),
    sid: () => evaluate<string>('window.sid()'),
    view: () => evaluate<string>('window.view()'),
    /** Chromium's page lifecycle, as a phone freezes a background tab; resolves once it is thawed. */
    freeze: (ms: number) => page('freeze', { id, ms }),
    close: () => page('close', { id }),
  };
}

const CDP = 'page freezing is a Chromium DevTools command';

describe(`<reconnecting-session> page lifecycle (${engine})`, () => {
  afterEach(cleanup);

  itIn(
    ['chromium'],
    CDP,
    'a page frozen past the ack timeout resumes its session on thaw, nothing lost or repeated',
    async () => {
      const server = await startSessionServer({ ackTimeoutMs: 300, unusedSessionLifetimeMs: 20_000 });
      const tab = await openPage(server.url);
      try {
        await waitUntil(async () => (await tab.log()).statuses.includes('open'), 'the tab connected');
        const sid = await tab.sid();
        await server.chatter(50);
        await waitUntil(async () => (await tab.log()).ticks.length >= 3, 'the server is chattering');
        // The server writes on while the page cannot acknowledge: past ackTimeoutMs it cuts the socket, keeps the session.
        await tab.freeze(1500);
        await waitUntil(async () => (await tab.log()).resumed === 1, 'resumed after the thaw', { timeout: 8000 });
        const seen = (await tab.log()).ticks.length;
        await waitUntil(async () => (await tab.log()).ticks.length >= seen + 5, 'the chatter goes on');
        const { ticks, news } = await tab.log();
        expect(ticks).to.deep.equal(
          ticks.map((_, i) => i + 1),
          'every tick once, in order',
        );
        expect(news).to.deep.equal([]);
        expect(await tab.sid()).to.equal(sid);
      } finally {
        await tab.close();
      }
    },
  );

  itIn(
    ['chromium'],
    CDP,
    'a page frozen past the unused lifetime is told its session expired, and says so',
    async () => {
      const server = await startSessionServer({
        ackTimeoutMs: 200,
        unusedSessionLifetimeMs: 400,
        checkUnusedSessionsMs: 100,
      });
      const tab = await openPage(server.url);
      try {
        await waitUntil(async () => (await tab.log()).statuses.includes('open'), 'the tab connected');
        const sid = await tab.sid();
        await server.chatter(50);
        await tab.freeze(2000);
        await waitUntil(async () => (await tab.log()).news.length === 1, 'a new session after the thaw', {
          timeout: 8000,
        });
        expect((await tab.log()).news).to.deep.equal(['expired']);
        expect(await tab.sid()).to.not.equal(sid);
        await waitUntil(async () => (await tab.view()).includes('expired'), 'the expired notice');
      } finally {
        await tab.close();
      }
    },
  );
});
