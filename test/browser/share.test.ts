import { expect } from '@open-wc/testing';
import { cleanup, engine, itIn, startSessionServer, waitUntil } from './helpers.js';
import { closeTabs, leaderOf, openTabs, perTab, ticksOf, waitAllOpen, type Tab } from './share-helpers.js';

// Tabs are extra pages the wtr plugin opens in the test's browser (puppeteer): Chromium here; the lock and
// channel code is the same in every engine, and the WebDriver engines drive one page at a time.
const TABS = 'tabs are pages opened through puppeteer';

describe(`<reconnecting-session share> (${engine})`, () => {
  let tabs: Tab[] = [];
  afterEach(async () => {
    await closeTabs(tabs);
    tabs = [];
    await cleanup();
  });

  itIn(['chromium'], TABS, 'three tabs hold one socket and one session; every message once each way', async () => {
    const server = await startSessionServer({}, { echo: false });
    tabs = await openTabs(server.url, 3);
    await waitAllOpen(tabs);
    await leaderOf(tabs);
    const stats = await server.stats();
    expect(stats.live, 'sockets on the server').to.equal(1);
    expect((await server.sessions()).length, 'server sessions').to.equal(1);
    for (const t of tabs)
      await t.eval(`Promise.all([1,2,3,4,5].map(() => window.el.send({ tab: window.tab, n: ++window.log.sent })))`);
    await server.sessionSendMany(20);
    await waitUntil(async () => {
      const [s] = await server.sessions();
      return s!.received.length === 15;
    }, 'the server got 15 messages');
    const [s] = await server.sessions();
    const by = perTab(s!.received);
    for (const t of tabs) expect(by.get(t.name), t.name).to.deep.equal([1, 2, 3, 4, 5]);
    for (const t of tabs) {
      await waitUntil(async () => (await t.log()).data.length >= 20, `${t.name} got 20`);
      const ns = (await t.log()).data.map((d) => (d as { n: number }).n);
      expect(ns, t.name).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
    }
    const sids = await Promise.all(tabs.map((t) => t.eval<string>('window.el.sessionId')));
    expect(new Set(sids).size).to.equal(1);
    expect(sids[0]).to.equal(s!.id);
  });

  itIn(
    ['chromium'],
    TABS,
    'the leader closed under traffic: another tab resumes, nothing lost or repeated',
    async () => {
      const server = await startSessionServer({}, { echo: false });
      tabs = await openTabs(server.url, 3);
      await waitAllOpen(tabs);
      const leader = await leaderOf(tabs);
      await server.chatter(20);
      for (const t of tabs) await t.chatter(15);
      await waitUntil(async () => ticksOf(await tabs[0]!.log()).length > 10, 'ticks flow');
      await leader.close();
      const rest = tabs.filter((t) => t !== leader);
      await leaderOf(rest);
      const before = ticksOf(await rest[0]!.log()).length;
      await waitUntil(async () => ticksOf(await rest[0]!.log()).length > before + 10, 'ticks flow again');
      for (const t of rest) await t.hush();
      const sentBy = new Map<string, number>();
      for (const t of rest) sentBy.set(t.name, (await t.log()).sent);
      await waitUntil(async () => {
        const [s] = await server.sessions();
        const by = perTab(s!.received);
        return rest.every((t) => by.get(t.name)?.length === sentBy.get(t.name));
      }, 'every message of the remaining tabs arrived');
      const sessions = await server.sessions();
      expect(sessions.length, 'one server session').to.equal(1);
      const by = perTab(sessions[0]!.received);
      for (const t of rest) {
        expect(by.get(t.name), t.name).to.deep.equal(Array.from({ length: sentBy.get(t.name)! }, (_, i) => i + 1));
      }
      // The closed tab's messages: a prefix of what it sent, each once.
      const gone = by.get(leader.name) ?? [];
      expect(gone).to.deep.equal(gone.map((_, i) => i + 1));
      for (const t of rest) {
        const ticks = ticksOf(await t.log());
        expect(ticks, `${t.name} ticks`).to.deep.equal(ticks.map((_, i) => i + 1));
      }
    },
  );
});
