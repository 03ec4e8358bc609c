import { expect } from '@open-wc/testing';
import type { SessionDrainEvent, SessionMessageEvent } from '../../src/events.js';
import { cleanup, collect, mount, startSessionServer, waitForStatus, waitUntil } from './helpers.js';

describe('<reconnecting-session> flow control and the direct message callback', () => {
  afterEach(cleanup);

  it('takes a 20k burst with the default bounds, reports bufferedAmount and fires session-drain', async () => {
    const server = await startSessionServer({}, { echo: false });
    const el = await mount(`<reconnecting-session url="${server.url}" protocol="session"></reconnecting-session>`);
    await waitForStatus(el, 'open');
    const drains = collect<SessionDrainEvent>(el, 'session-drain');
    const text = 'x'.repeat(100);
    for (let i = 0; i < 20_000; i++) el.send(text);
    expect(el.bufferedAmount).to.be.at.least(1024 * 1024);
    await waitUntil(() => drains.length === 1, 'no session-drain', { timeout: 10_000 });
    expect(drains[0]!.detail.bufferedAmount).to.be.at.most(512 * 1024);
    expect(drains[0]!.detail.highWaterMark).to.equal(1024 * 1024);
    expect(drains[0]!.bubbles && drains[0]!.composed).to.equal(true);
    await waitUntil(() => el.bufferedAmount === 0, 'not all acknowledged', { timeout: 10_000 });
    const [session] = await server.sessions();
    expect(session!.received.length).to.equal(20_000);
  });

  it('onsessionmessage takes messages as (data, seq) instead of session-message events', async () => {
    const server = await startSessionServer({}, { echo: false });
    const el = await mount(`<reconnecting-session url="${server.url}" protocol="session"></reconnecting-session>`);
    await waitForStatus(el, 'open');
    const events = collect<SessionMessageEvent>(el, 'session-message');
    const direct: [unknown, number | null][] = [];
    el.onsessionmessage = (data, seq) => direct.push([data, seq]);
    expect(el.onsessionmessage).to.be.a('function');
    await server.sessionSendMany(3);
    await waitUntil(() => direct.length === 3, 'no direct messages');
    expect(direct.map(([, seq]) => seq)).to.deep.equal([1, 2, 3]);
    expect(events).to.have.length(0);
    el.onsessionmessage = null;
    await server.sessionSendMany(1);
    await waitUntil(() => events.length === 1, 'no event after the callback was removed');
  });
});
