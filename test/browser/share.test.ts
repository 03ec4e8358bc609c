import { expect } from '@open-wc/testing';
import { cleanup, engine, itIn, startServer, startSessionServer, waitUntil } from './helpers.js';
import {
  closeTabs,
  lastStatus,
  leaderOf,
  openTab,
  openTabs,
  perTab,
  ticksOf,
  waitAllOpen,
  type Tab,
} from './share-helpers.js';

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

  /**
   * Traffic both ways in every tab, then `strike` at the leader: another tab must take over, and every tab that
   * lives on must have sent everything exactly once, in order, and received every tick exactly once, in order.
   */
  async function takeover(count: number, strike: (leader: Tab) => Promise<void>) {
    const server = await startSessionServer({}, { echo: false });
    tabs = await openTabs(server.url, count);
    await waitAllOpen(tabs);
    await waitUntil(() => tabs[0]!.leading(), 'the first tab, in front, leads');
    const leader = await leaderOf(tabs);
    await server.chatter(20);
    for (const t of tabs) await t.chatter(15);
    await waitUntil(async () => ticksOf(await tabs[0]!.log()).length > 10, 'ticks flow');
    await strike(leader);
    const rest = tabs.filter((t) => !t.closed);
    const next = await leaderOf(rest);
    expect(next).not.to.equal(leader);
    const before = ticksOf(await next.log()).length;
    await waitUntil(async () => ticksOf(await next.log()).length > before + 10, 'ticks flow again', {
      timeout: 10_000,
    });
    for (const t of rest) await t.hush();
    const sentBy = new Map<string, number>();
    for (const t of rest) sentBy.set(t.name, (await t.log()).sent);
    await waitUntil(async () => {
      const [s] = await server.sessions();
      const by = perTab(s!.received);
      return rest.every((t) => by.get(t.name)?.length === sentBy.get(t.name));
    }, 'every message of the remaining tabs arrived').catch(async (e) => {
      const [s] = await server.sessions();
      const by = perTab(s!.received);
      for (const t of rest)
        console.log(
          t.name,
          sentBy.get(t.name),
          JSON.stringify(by.get(t.name)),
          JSON.stringify((await t.log()).errors),
          await t.eval('window.el.queued'),
        );
      throw e;
    });
    const sessions = await server.sessions();
    expect(sessions.length, 'one server session').to.equal(1);
    expect((await server.stats()).live, 'one socket').to.equal(1);
    const by = perTab(sessions[0]!.received);
    for (const t of rest) {
      expect(by.get(t.name), t.name).to.deep.equal(Array.from({ length: sentBy.get(t.name)! }, (_, i) => i + 1));
    }
    // A tab that died: a prefix of what it sent, each once.
    const gone = by.get(leader.name) ?? [];
    expect(gone).to.deep.equal(gone.map((_, i) => i + 1));
    for (const t of rest) {
      const ticks = ticksOf(await t.log());
      expect(ticks.length, `${t.name} ticks`).to.be.greaterThan(20);
      expect(ticks, `${t.name} ticks`).to.deep.equal(ticks.map((_, i) => i + 1));
    }
  }

  itIn(['chromium'], TABS, 'the leader closed under traffic: another tab resumes, nothing lost or repeated', () =>
    takeover(3, (leader) => leader.close().then(() => {})),
  );

  itIn(['chromium'], TABS, 'the leader crashed under traffic: another tab resumes, nothing lost or repeated', () =>
    takeover(3, (leader) => leader.crash().then(() => {})),
  );

  itIn(
    ['chromium'],
    TABS,
    'the leader frozen under traffic: another tab takes its lock; thawed, it follows and misses nothing',
    () =>
      takeover(3, async (leader) => {
        await leader.hold();
        const others = tabs.filter((t) => t !== leader);
        await waitUntil(async () => (await Promise.all(others.map((t) => t.leading()))).some(Boolean), 'taken over', {
          timeout: 10_000,
        });
        await leader.thaw();
      }),
  );

  itIn(['chromium'], TABS, 'a leader hidden for 5 s hands over to the visible tab, not at once', () =>
    takeover(3, async (leader) => {
      const other = tabs.find((t) => t !== leader)!;
      await other.front();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(await leader.leading(), 'a quick switch between tabs leaves the socket where it is').to.equal(true);
      await waitUntil(() => other.leading(), 'the visible tab leads', { timeout: 10_000 });
    }),
  );

  itIn(['chromium'], TABS, 'ten tabs: one socket, one session, every message once in every tab', async () => {
    const server = await startSessionServer({}, { echo: false });
    tabs = await openTabs(server.url, 10);
    await waitAllOpen(tabs);
    await leaderOf(tabs);
    expect((await server.stats()).live).to.equal(1);
    expect((await server.sessions()).length).to.equal(1);
    for (const t of tabs)
      await t.eval(`[1,2,3].forEach(() => window.el.send({ tab: window.tab, n: ++window.log.sent }))`);
    await server.sessionSendMany(30);
    await waitUntil(async () => (await server.sessions())[0]!.received.length === 30, 'the server got 30');
    const by = perTab((await server.sessions())[0]!.received);
    for (const t of tabs) expect(by.get(t.name), t.name).to.deep.equal([1, 2, 3]);
    for (const t of tabs) {
      await waitUntil(async () => (await t.log()).data.length >= 30, `${t.name} got 30`);
      expect((await t.log()).data.map((d) => d.n)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
    }
  });

  itIn(['chromium'], TABS, 'two elections at once on a throttled CPU: one socket soon, nothing repeated', async () => {
    const server = await startSessionServer({}, { echo: false });
    tabs = await openTabs(server.url, 4);
    await waitAllOpen(tabs);
    await waitUntil(() => tabs[0]!.leading(), 'the first tab, in front, leads');
    for (const t of tabs) await t.throttle(6);
    await server.chatter(20);
    for (const t of tabs) await t.chatter(20);
    // Frozen, the leader stops beating: the three others all see the lease run out and all try to take the lock.
    const leader = tabs[0]!;
    await leader.hold();
    await waitUntil(async () => (await server.stats()).connections >= 2, 'a new leader connected', { timeout: 10_000 });
    await leader.thaw();
    await waitUntil(
      async () => (await Promise.all(tabs.map((t) => t.leading()))).filter(Boolean).length === 1,
      'one leader',
      { timeout: 10_000 },
    );
    await waitUntil(async () => (await server.stats()).live === 1, 'one socket', { timeout: 5000 });
    for (const t of tabs) await t.throttle(1);
    for (const t of tabs) await t.hush();
    const sentBy = new Map<string, number>();
    for (const t of tabs) sentBy.set(t.name, (await t.log()).sent);
    await waitUntil(async () => {
      const by = perTab((await server.sessions())[0]!.received);
      return tabs.every((t) => by.get(t.name)?.length === sentBy.get(t.name));
    }, 'every message arrived');
    expect((await server.sessions()).length).to.equal(1);
    const by = perTab((await server.sessions())[0]!.received);
    for (const t of tabs)
      expect(by.get(t.name)).to.deep.equal(Array.from({ length: sentBy.get(t.name)! }, (_, i) => i + 1));
    for (const t of tabs) {
      const ticks = ticksOf(await t.log());
      expect(ticks, t.name).to.deep.equal(ticks.map((_, i) => i + 1));
    }
  });

  itIn(['chromium'], TABS, 'tabs join and leave during an outage; the session resumes with every message', async () => {
    const server = await startSessionServer({}, { echo: false });
    tabs = await openTabs(server.url, 2);
    await waitAllOpen(tabs);
    await server.stop();
    await waitUntil(async () => (await tabs[0]!.log()).statuses.at(-1)?.[0] === 'reconnecting', 'outage seen');
    for (const t of tabs) await t.eval(`window.el.send({ tab: window.tab, n: ++window.log.sent })`);
    tabs.push(await openTab(server.url, 't3'));
    await tabs[2]!.eval(`window.el.send({ tab: window.tab, n: ++window.log.sent })`);
    await tabs[0]!.close();
    await server.restart();
    const rest = tabs.slice(1);
    await waitAllOpen(rest, 15_000);
    await waitUntil(async () => (await server.sessions())[0]!.received.length === 3, 'three messages arrived');
    const by = perTab((await server.sessions())[0]!.received);
    expect([...by.keys()].sort()).to.deep.equal(['t1', 't2', 't3']);
    expect((await server.sessions()).length).to.equal(1);
    expect((await server.stats()).live).to.equal(1);
  });

  itIn(['chromium'], TABS, 'disconnect() leaves one tab; the last tab out closes the socket', async () => {
    const server = await startSessionServer({}, { echo: false });
    tabs = await openTabs(server.url, 2);
    await waitAllOpen(tabs);
    const leader = await leaderOf(tabs);
    const other = tabs.find((t) => t !== leader)!;
    await leader.eval('window.el.disconnect()');
    expect((await leader.log()).statuses.at(-1)?.[0]).to.equal('closed');
    await waitUntil(() => other.leading(), 'the other tab took over');
    expect((await other.log()).statuses.at(-1)?.[0]).to.not.equal('closed');
    await other.eval('window.el.disconnect()');
    await waitUntil(async () => (await server.stats()).live === 0, 'no socket left');
    expect((await server.sessions()).length).to.equal(1);
  });

  itIn(['chromium'], TABS, 'without Web Locks each tab connects alone, with a console note', async () => {
    const server = await startSessionServer({}, { echo: false });
    tabs = await openTabs(server.url, 2, '&nolocks');
    await waitAllOpen(tabs);
    expect((await server.stats()).live).to.equal(2);
    expect((await server.sessions()).length).to.equal(2);
    for (const t of tabs) expect((await t.log()).notes.join('\n')).to.contain('share needs Web Locks');
  });

  itIn(
    ['chromium'],
    TABS,
    'every tab shows the shared status; a retry in a follower retries the shared socket',
    async () => {
      const server = await startSessionServer({}, { echo: false });
      tabs = await openTabs(server.url, 3, '&attempts=1');
      await waitAllOpen(tabs);
      const leader = await leaderOf(tabs);
      const follower = tabs.find((t) => t !== leader)!;
      await server.stop();
      for (const t of tabs) {
        await waitUntil(async () => lastStatus(await t.log()) === 'failed', `${t.name} failed`, { timeout: 10_000 });
      }
      await server.restart();
      await follower.eval('window.el.retryNow()');
      await waitAllOpen(tabs);
      expect(await leader.leading(), 'the leader kept the socket').to.equal(true);
      expect((await server.stats()).live).to.equal(1);
      expect((await server.sessions()).length).to.equal(1);
    },
  );

  itIn(['chromium'], TABS, 'plain mode: one socket, every incoming message in every tab, sends forwarded', async () => {
    const server = await startServer({ echo: false });
    tabs = await openTabs(server.url, 3, '&protocol=plain');
    await waitAllOpen(tabs);
    await leaderOf(tabs);
    expect((await server.stats()).live).to.equal(1);
    for (const t of tabs) await t.eval(`window.el.send(JSON.stringify({ tab: window.tab, n: ++window.log.sent }))`);
    await waitUntil(async () => (await server.stats()).received.length === 3, 'three messages arrived');
    const got = (await server.stats()).received.map((r) => JSON.parse(r as string).tab).sort();
    expect(got).to.deep.equal(['t1', 't2', 't3']);
    await server.send('{"n":1}');
    for (const t of tabs) {
      await waitUntil(async () => (await t.log()).data.length === 1, `${t.name} got it`);
      expect((await t.log()).data).to.deep.equal(['{"n":1}']);
    }
  });
});
