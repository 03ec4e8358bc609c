import { expect } from '@open-wc/testing';
import type { ReconnectingSessionElement } from '../../src/reconnecting-session.js';
import { cleanup, engine, mountInFrame, startSessionServer, waitUntil } from './helpers.js';
import { perTab } from './share-helpers.js';

/**
 * Same-origin frames are separate clients of Web Locks and BroadcastChannel, as tabs are: these run in every
 * engine, where share.test.ts needs tabs that only Chromium's DevTools can open, crash and freeze.
 */
type FrameWindow = Window & {
  sockets: WebSocket[];
  log: { data: { n?: number; tick?: number }[]; sent: number };
  timer?: number;
};

interface Frame {
  name: string;
  el: ReconnectingSessionElement;
  win: FrameWindow;
  leading(): boolean;
  send(): void;
}

async function mountFrames(url: string, count: number): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (let i = 1; i <= count; i++) {
    // A classic script runs before the element's module: it sees every socket the element opens.
    const spy = `<script>
      const Native = WebSocket; window.sockets = [];
      window.WebSocket = class extends Native { constructor(...a) { super(...a); sockets.push(this); } };
      window.log = { data: [], sent: 0 };
    </script>`;
    const el = await mountInFrame(
      `${spy}<reconnecting-session protocol="session" url="${url}" share delays="100" jitter="0"></reconnecting-session>`,
      10,
      10,
    );
    const win = el.ownerDocument.defaultView as unknown as FrameWindow;
    el.addEventListener('session-message', (e) => win.log.data.push((e as CustomEvent).detail.data));
    const name = `f${i}`;
    frames.push({
      name,
      el,
      win,
      leading: () => win.sockets.some((s) => s.readyState === 1),
      send: () => el.send({ tab: name, n: ++win.log.sent }),
    });
  }
  return frames;
}

const frameOf = (f: Frame) => f.el.ownerDocument.defaultView!.frameElement as HTMLIFrameElement;

describe(`<reconnecting-session share> in frames (${engine})`, () => {
  afterEach(cleanup);

  it('three frames hold one socket and one session; every message once each way, in order', async () => {
    const server = await startSessionServer({}, { echo: false });
    const frames = await mountFrames(server.url, 3);
    await waitUntil(() => frames.every((f) => f.el.status === 'open'), 'all open');
    await waitUntil(() => frames.filter((f) => f.leading()).length === 1, 'one frame holds the socket');
    expect((await server.stats()).live).to.equal(1);
    expect((await server.sessions()).length).to.equal(1);
    for (const f of frames) for (let i = 0; i < 5; i++) f.send();
    await server.sessionSendMany(20);
    await waitUntil(async () => (await server.sessions())[0]!.received.length === 15, 'the server got 15');
    const by = perTab((await server.sessions())[0]!.received);
    for (const f of frames) expect(by.get(f.name), f.name).to.deep.equal([1, 2, 3, 4, 5]);
    for (const f of frames) {
      await waitUntil(() => f.win.log.data.length >= 20, `${f.name} got 20`);
      expect(f.win.log.data.map((d) => d.n)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(f.el.sessionId).to.equal((await server.sessions())[0]!.id);
    }
  });

  it('the leading frame removed under traffic: another resumes the session, nothing lost or repeated', async () => {
    const server = await startSessionServer({}, { echo: false });
    const frames = await mountFrames(server.url, 3);
    await waitUntil(() => frames.every((f) => f.el.status === 'open'), 'all open');
    await waitUntil(() => frames.filter((f) => f.leading()).length === 1, 'one frame holds the socket');
    const leader = frames.find((f) => f.leading())!;
    const rest = frames.filter((f) => f !== leader);
    await server.chatter(20);
    const timers = frames.map((f) => setInterval(() => f.send(), 15));
    await waitUntil(() => rest[0]!.win.log.data.length > 10, 'ticks flow');
    frameOf(leader).remove();
    clearInterval(timers[frames.indexOf(leader)]);
    await waitUntil(() => rest.some((f) => f.leading()), 'another frame took over', { timeout: 10_000 });
    const seen = rest[0]!.win.log.data.length;
    await waitUntil(() => rest[0]!.win.log.data.length > seen + 10, 'ticks flow again', { timeout: 10_000 });
    timers.forEach(clearInterval);
    await waitUntil(async () => {
      const by = perTab((await server.sessions())[0]!.received);
      return rest.every((f) => by.get(f.name)?.length === f.win.log.sent);
    }, 'every message of the remaining frames arrived');
    expect((await server.sessions()).length).to.equal(1);
    expect((await server.stats()).live).to.equal(1);
    const by = perTab((await server.sessions())[0]!.received);
    for (const f of rest) {
      expect(by.get(f.name), f.name).to.deep.equal(Array.from({ length: f.win.log.sent }, (_, i) => i + 1));
      const ticks = f.win.log.data.map((d) => d.tick!);
      expect(ticks.length).to.be.greaterThan(20);
      expect(ticks, `${f.name} ticks`).to.deep.equal(ticks.map((_, i) => i + 1));
    }
    const gone = by.get(leader.name) ?? [];
    expect(gone).to.deep.equal(gone.map((_, i) => i + 1));
  });
});
