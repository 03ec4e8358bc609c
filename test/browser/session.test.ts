import { aTimeout, expect, oneEvent } from '@open-wc/testing';
import type { SessionNewEvent, SessionResumedEvent } from '../../src/events.js';
import { cleanup, collect, mount, startSessionServer, waitForStatus, waitUntil } from './helpers.js';

const FAST = 'protocol="session" delays="50" max-attempts="100" jitter="0"';

describe('<reconnecting-session> session mode against the real SessionServer', () => {
  afterEach(cleanup);

  it('starts a new session, reflects its ID and exchanges messages', async () => {
    const server = await startSessionServer();
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    const created = (await oneEvent(el, 'session-new')) as SessionNewEvent;
    expect(created.detail.reason).to.equal(null);
    expect(created.detail.resumed).to.equal(false);
    await waitForStatus(el, 'open');
    expect(el.getAttribute('session-id')).to.equal(created.detail.sessionId);
    expect(created.detail.sessionId).to.match(/^[A-Za-z0-9_-]{22,}$/);
    const echoed = oneEvent(el, 'session-message');
    el.send({ hello: 'world' });
    const msg = await echoed;
    expect(msg.detail).to.deep.equal({ data: { echo: { hello: 'world' } }, seq: 1 });
    const [session] = await server.sessions();
    expect(session!.received).to.deep.equal([{ hello: 'world' }]);
  });

  it('resumes after a drop with messages in flight both ways: each delivered once, in order', async () => {
    const server = await startSessionServer({}, { echo: false });
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    const got: unknown[] = [];
    el.addEventListener('session-message', (e) => got.push(e.detail.data));
    await server.sessionSendMany(3);
    await waitUntil(() => got.length === 3);
    // Stalled: the server reads nothing more, so the client's frames and acks are lost with the socket.
    await server.stall();
    for (let i = 1; i <= 4; i++) el.send({ c: i });
    await server.sessionSendMany(2);
    await aTimeout(100);
    const resumed = oneEvent(el, 'session-resumed');
    const recovered = oneEvent(el, 'session-recovered');
    await server.drop();
    await server.restart();
    const detail = ((await resumed) as SessionResumedEvent).detail;
    expect(detail.replayedToServer).to.equal(4);
    const report = (await recovered).detail;
    expect([report.resumed, report.cause, report.code]).to.deep.equal([true, 'network', 1006]);
    expect(report.attempts).to.be.at.least(1);
    await waitForStatus(el, 'open');
    await waitUntil(async () => (await server.sessions())[0]!.received.length === 4, 'client messages missing');
    await server.sessionSendMany(1);
    await waitUntil(() => got.length === 6, `expected 6 messages, got ${JSON.stringify(got)}`);
    await aTimeout(100);
    expect(got).to.deep.equal([
      { n: 1, of: 3 },
      { n: 2, of: 3 },
      { n: 3, of: 3 },
      { n: 1, of: 2 },
      { n: 2, of: 2 },
      { n: 1, of: 1 },
    ]);
    const sessions = await server.sessions();
    expect(sessions).to.have.length(1);
    expect(sessions[0]!.received).to.deep.equal([{ c: 1 }, { c: 2 }, { c: 3 }, { c: 4 }]);
    // The server acks after its ack delay (20 ms), which a loaded machine can stretch past any fixed wait.
    await waitUntil(() => el.queued === 0, `never acknowledged: ${el.queued} still queued`);
  });

  it('sends what was unacknowledged before anything sent from an open listener', async () => {
    const server = await startSessionServer({}, { echo: false });
    const el = await mount(
      `<reconnecting-session url="${server.url}" protocol="session" delays="400" jitter="0"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    await server.stall();
    el.send('one');
    el.send('two');
    await server.drop();
    await waitForStatus(el, 'reconnecting');
    let sent = false;
    el.addEventListener('session-status', (e) => {
      if (e.detail.status !== 'open' || sent) return;
      sent = true;
      el.send('from-open-listener');
    });
    await waitUntil(async () => (await server.sessions())[0]!.received.length === 3, 'messages missing');
    expect((await server.sessions())[0]!.received).to.deep.equal(['one', 'two', 'from-open-listener']);
    expect(el.status).to.equal('open');
  });

  it('gives way (closed, 4001) when another tab takes the session over, instead of fighting for it', async () => {
    const server = await startSessionServer();
    const key = `dup-${Math.random()}`;
    const first = await mount(
      `<reconnecting-session url="${server.url}" ${FAST} persist="${key}"></reconnecting-session>`,
    );
    await waitForStatus(first, 'open');
    // A duplicated tab starts with a copy of sessionStorage; here the second element reads the same slot.
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: false }));
    const second = await mount(
      `<reconnecting-session url="${server.url}" ${FAST} persist="${key}"></reconnecting-session>`,
    );
    await oneEvent(second, 'session-resumed');
    await waitForStatus(first, 'closed');
    expect([first.statusDetail!.code, first.statusDetail!.cause]).to.deep.equal([4001, 'server-close']);
    await aTimeout(200);
    expect(second.status).to.equal('open');
    expect((await server.sessions()).filter((s) => s.connected)).to.have.length(1);
    sessionStorage.removeItem(`reconnecting-session:${key}`);
  });

  it('keeps numbering messages when max-queue changes mid-session', async () => {
    const server = await startSessionServer({}, { echo: false });
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    expect(el.send('a')).to.equal(1);
    await waitUntil(async () => (await server.sessions())[0]!.received.length === 1);
    el.setAttribute('max-queue', '50');
    await el.updateComplete;
    expect(el.send('b')).to.equal(2);
    await waitUntil(async () => (await server.sessions())[0]!.received.length === 2, 'b was dropped');
    expect((await server.sessions())[0]!.received).to.deep.equal(['a', 'b']);
  });

  it('starts a new session with reason "expired" after the unused session lifetime', async () => {
    const server = await startSessionServer({ unusedSessionLifetimeMs: 200, checkUnusedSessionsMs: 50 });
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    const first = el.sessionId;
    await server.stop();
    await waitUntil(async () => (await server.expired()).includes(first!), 'session never expired', { timeout: 3000 });
    const renewed = oneEvent(el, 'session-new');
    await server.restart();
    const detail = ((await renewed) as SessionNewEvent).detail;
    expect([detail.reason, detail.previousSessionId]).to.deep.equal(['expired', first]);
    expect(detail.sessionId).to.not.equal(first);
    await waitForStatus(el, 'open');
    expect(el.sessionId).to.equal(detail.sessionId);
  });

  it('keeps a blocked session past its lifetime and resumes it', async () => {
    const server = await startSessionServer({ unusedSessionLifetimeMs: 150, checkUnusedSessionsMs: 50 });
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    await server.block();
    await server.stop();
    await aTimeout(500);
    expect(await server.expired()).to.deep.equal([]);
    const resumed = oneEvent(el, 'session-resumed');
    await server.restart();
    expect(((await resumed) as SessionResumedEvent).detail.sessionId).to.equal(el.sessionId);
  });

  it('starts a new session with reason "unknown" after a server restart lost it', async () => {
    const server = await startSessionServer();
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    const first = el.sessionId;
    const renewed = oneEvent(el, 'session-new');
    await server.crash();
    const detail = ((await renewed) as SessionNewEvent).detail;
    expect(detail.reason).to.equal('unknown');
    expect(detail.sessionId).to.not.equal(first);
  });

  it('reports a replay gap when the server could not keep what the client missed', async () => {
    // Since the server refuses sends past its replay bounds by default, a gap needs eviction.
    const server = await startSessionServer({ maxReplayMessages: 5, replayOverflow: 'evict' }, { echo: false });
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    await server.stop();
    await server.sessionSendMany(12);
    const renewed = oneEvent(el, 'session-new');
    await server.restart();
    expect(((await renewed) as SessionNewEvent).detail.reason).to.equal('replay-gap');
  });

  it('resumes a session pre-issued by the server, and refuses a wrong token', async () => {
    const server = await startSessionServer();
    const issued = await server.createSession();
    const good = await mount(
      `<reconnecting-session url="${server.url}" ${FAST} manual session-id="${issued.id}"></reconnecting-session>`,
    );
    good.resumeToken = issued.token;
    const resumed = oneEvent(good, 'session-resumed');
    good.connect();
    expect(((await resumed) as SessionResumedEvent).detail.sessionId).to.equal(issued.id);

    const other = await server.createSession();
    const bad = await mount(
      `<reconnecting-session url="${server.url}" ${FAST} manual session-id="${other.id}"></reconnecting-session>`,
    );
    bad.resumeToken = 'not-the-token';
    const renewed = oneEvent(bad, 'session-new');
    bad.connect();
    const detail = ((await renewed) as SessionNewEvent).detail;
    expect(detail.reason).to.equal('token');
    expect(detail.sessionId).to.not.equal(other.id);

    // Set from script in one go, before any update has run: the ID must travel with its token.
    const third = await server.createSession();
    const scripted = await mount(`<reconnecting-session url="${server.url}" ${FAST} manual></reconnecting-session>`);
    scripted.sessionId = third.id;
    scripted.resumeToken = third.token;
    const resumedToo = oneEvent(scripted, 'session-resumed');
    scripted.connect();
    expect(((await resumedToo) as SessionResumedEvent).detail.sessionId).to.equal(third.id);
  });

  it('never adopts an unknown client-supplied session ID', async () => {
    const server = await startSessionServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" ${FAST} session-id="attacker-chosen-id"></reconnecting-session>`,
    );
    const renewed = (await oneEvent(el, 'session-new')) as SessionNewEvent;
    expect(renewed.detail.sessionId).to.not.equal('attacker-chosen-id');
    expect(renewed.detail.reason).to.equal('unknown');
    expect((await server.sessions()).map((s) => s.id)).to.not.include('attacker-chosen-id');
  });

  it('catches a half-open socket with the heartbeat and resumes', async () => {
    const server = await startSessionServer();
    const el = await mount(
      `<reconnecting-session url="${server.url}" ${FAST} heartbeat-interval="300" heartbeat-timeout="300"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    const statuses = collect<Event & { detail: { cause: string | null; status: string } }>(el, 'session-status');
    await server.stall();
    await waitUntil(() => statuses.some((e) => e.detail.cause === 'heartbeat'), 'heartbeat never fired', {
      timeout: 3000,
    });
    const resumed = oneEvent(el, 'session-resumed');
    await server.restart();
    await resumed;
    await waitForStatus(el, 'open');
  });

  it('catches a link dead only towards the server (unacknowledged messages) while the server keeps talking', async () => {
    const server = await startSessionServer({}, { echo: false });
    const el = await mount(
      `<reconnecting-session url="${server.url}" ${FAST} heartbeat-interval="300" heartbeat-timeout="400"></reconnecting-session>`,
    );
    await waitForStatus(el, 'open');
    const sid = el.sessionId;
    const statuses = collect<Event & { detail: { cause: string | null } }>(el, 'session-status');
    const ticks: unknown[] = [];
    el.addEventListener('session-message', (e) => ticks.push(e.detail.data));
    // The server's frames keep the heartbeat quiet: only the missing acks show the link is dead.
    await server.chatter(50);
    await server.deafen();
    const resumed = collect<SessionResumedEvent>(el, 'session-resumed');
    el.send('one');
    el.send('two');
    await waitUntil(() => resumed.length === 1, 'the dead link was never noticed');
    expect(resumed[0]!.detail.sessionId).to.equal(sid);
    expect(statuses.some((e) => e.detail.cause === 'heartbeat')).to.equal(true);
    await waitUntil(async () => (await server.sessions())[0]!.received.length === 2, 'messages never arrived');
    expect((await server.sessions())[0]!.received).to.deep.equal(['one', 'two']);
    await waitUntil(() => el.queued === 0, 'never acknowledged');
    // Ticks went on arriving throughout, each once and in order.
    const n = ticks.map((t) => (t as { tick: number }).tick);
    expect(n).to.deep.equal(n.map((_, i) => i + 1));
  });

  it('refuses up front a message larger than the frame limit the server announced', async () => {
    const server = await startSessionServer({ maxFrameBytes: 2000 });
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    const errors = collect<Event & { detail: { kind: string } }>(el, 'session-error');
    expect(() => el.send('é'.repeat(1000))).to.throw(RangeError, /at most 2000/);
    expect(errors.map((e) => e.detail.kind)).to.deep.equal(['too-big']);
    expect([el.queued, el.status]).to.deep.equal([0, 'open']);
    el.send('x'.repeat(1000));
    await waitUntil(() => el.queued === 0, 'the message that fits was not acknowledged');
  });

  it('takes a message over the announced limit, queued before it was known, out of the queue and sends the rest', async () => {
    const server = await startSessionServer({ maxFrameBytes: 2000 }, { echo: false });
    const el = await mount(`<reconnecting-session url="${server.url}" manual ${FAST}></reconnecting-session>`);
    const errors = collect<Event & { detail: { kind: string; code?: string; seq?: number } }>(el, 'session-error');
    const failed = collect(el, 'session-failed');
    expect([el.send('a'), el.send('x'.repeat(5000)), el.send('b')]).to.deep.equal([1, 2, 3]);
    el.connect();
    await waitUntil(async () => (await server.sessions())[0]?.received.length === 2, 'the rest never arrived');
    expect((await server.sessions())[0]!.received).to.deep.equal(['a', 'b']);
    expect(errors.map((e) => [e.detail.kind, e.detail.code, e.detail.seq])).to.deep.equal([['too-big', 'too-big', 2]]);
    await waitUntil(() => el.queued === 0, 'not acknowledged');
    expect([el.status, failed.length]).to.deep.equal(['open', 0]);
    // Seqs went on without a gap: the next message is 3, and the server takes it.
    expect(el.send('c')).to.equal(3);
    await waitUntil(async () => (await server.sessions())[0]!.received.length === 3, 'c never arrived');
  });

  it('refuses a Blob queued in plain mode once the protocol is session, and sends everything else', async () => {
    const server = await startSessionServer({}, { echo: false });
    const el = await mount(`<reconnecting-session url="${server.url}" manual delays="50"></reconnecting-session>`);
    const errors = collect<Event & { detail: { kind: string; code?: string; seq?: number } }>(el, 'session-error');
    el.send('before');
    el.send(new Blob(['bytes']));
    el.send({ after: true });
    el.protocol = 'session';
    await el.updateComplete;
    el.connect();
    await waitUntil(async () => (await server.sessions())[0]?.received.length === 2, 'the rest never arrived');
    expect((await server.sessions())[0]!.received).to.deep.equal(['before', '{"after":true}']);
    expect(errors.map((e) => [e.detail.kind, e.detail.code, e.detail.seq])).to.deep.equal([['config', 'blob', 2]]);
    await waitUntil(() => el.queued === 0, 'not acknowledged');
    expect(el.status).to.equal('open');
  });

  it('resumes the session after the server closes 1002 (a sequence gap), as the protocol says', async () => {
    const server = await startSessionServer({}, { echo: false });
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    const sid = el.sessionId;
    const failed = collect(el, 'session-failed');
    const resumed = oneEvent(el, 'session-resumed');
    await server.close(1002, 'message 7 skips past 5');
    expect(((await resumed) as SessionResumedEvent).detail.sessionId).to.equal(sid);
    await waitForStatus(el, 'open');
    el.send('after the gap');
    await waitUntil(async () => (await server.sessions())[0]!.received.length === 1, 'not delivered after resume');
    expect(failed.length).to.equal(0);
  });

  it('honours a drain: comes back after the hint, spread, and resumes the same session', async () => {
    const server = await startSessionServer();
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    const sid = el.sessionId;
    const statuses = collect<Event & { detail: { delayMs: number | null; code: number | null } }>(el, 'session-status');
    const resumed = oneEvent(el, 'session-resumed');
    await server.drain(300, 200);
    await waitUntil(() => statuses.some((e) => e.detail.delayMs !== null), 'no wait scheduled');
    const wait = statuses.find((e) => e.detail.delayMs !== null)!.detail;
    expect(wait.code).to.equal(1012);
    expect(wait.delayMs).to.be.within(300, 500);
    // While draining, a client that comes back is sent away again with the same hint.
    await waitUntil(() => statuses.filter((e) => e.detail.delayMs !== null).length >= 2, 'not sent away again', {
      timeout: 3000,
    });
    await server.endDrain();
    await resumed;
    expect(el.sessionId).to.equal(sid);
  });

  it('with persist, a new page (element) resumes the session and sends what was queued', async () => {
    const server = await startSessionServer({}, { echo: false });
    const key = `persist-test-${Math.random()}`;
    const first = await mount(
      `<reconnecting-session url="${server.url}" ${FAST} persist="${key}"></reconnecting-session>`,
    );
    await waitForStatus(first, 'open');
    const sid = first.sessionId;
    await server.stop();
    await waitForStatus(first, 'reconnecting');
    first.send({ queued: 1 });
    first.send({ queued: 2 });
    first.remove();
    await aTimeout(20);
    expect(sessionStorage.getItem(`reconnecting-session:${key}`)).to.not.include('token":null');
    await server.restart();
    const second = await mount(
      `<reconnecting-session url="${server.url}" ${FAST} persist="${key}"></reconnecting-session>`,
    );
    const resumed = (await oneEvent(second, 'session-resumed')) as SessionResumedEvent;
    expect(resumed.detail.sessionId).to.equal(sid);
    await waitUntil(async () => (await server.sessions())[0]!.received.length === 2, 'queued messages lost');
    expect((await server.sessions())[0]!.received).to.deep.equal([{ queued: 1 }, { queued: 2 }]);
    sessionStorage.removeItem(`reconnecting-session:${key}`);
  });

  it('with persist, the resume after a reload reports the outage since the page left, not 0', async () => {
    const server = await startSessionServer({}, { echo: false });
    const key = `persist-test-${Math.random()}`;
    const first = await mount(
      `<reconnecting-session url="${server.url}" ${FAST} persist="${key}"></reconnecting-session>`,
    );
    await waitForStatus(first, 'open');
    const left = Date.now();
    first.remove();
    await aTimeout(300);
    const second = await mount(
      `<reconnecting-session url="${server.url}" ${FAST} persist="${key}"></reconnecting-session>`,
    );
    const resumed = (await oneEvent(second, 'session-resumed')) as SessionResumedEvent;
    const outage = resumed.detail.outageMs;
    expect(outage >= 300 && outage <= Date.now() - left, `outageMs ${outage}`).to.equal(true);
    sessionStorage.removeItem(`reconnecting-session:${key}`);
  });

  it('with persist, messages the server got but had not acknowledged are not sent twice after a reload', async () => {
    // The server acknowledges late, so the page goes away holding messages the server already has.
    const server = await startSessionServer({ ackDelayMs: 60_000 }, { echo: false });
    const key = `persist-test-${Math.random()}`;
    const page = `<reconnecting-session url="${server.url}" ${FAST} persist="${key}"></reconnecting-session>`;
    const first = await mount(page);
    await waitForStatus(first, 'open');
    for (let i = 1; i <= 3; i++) first.send({ inFlight: i });
    await waitUntil(async () => (await server.sessions())[0]!.received.length === 3, 'messages not received');
    expect(first.queued, 'unacknowledged, so still held').to.equal(3);
    first.remove();
    await aTimeout(20);
    const second = await mount(page);
    const resumed = (await oneEvent(second, 'session-resumed')) as SessionResumedEvent;
    expect(resumed.detail.replayedToServer).to.equal(0);
    second.send({ inFlight: 4 });
    await waitUntil(async () => (await server.sessions())[0]!.received.length >= 4, 'message 4 lost');
    await aTimeout(100);
    expect((await server.sessions())[0]!.received).to.deep.equal([1, 2, 3, 4].map((i) => ({ inFlight: i })));
    expect(second.queued, 'the welcome acknowledged 1 to 3').to.equal(1);
    sessionStorage.removeItem(`reconnecting-session:${key}`);
  });

  it('reports malformed server frames through session-error and keeps the session', async () => {
    const server = await startSessionServer();
    const el = await mount(`<reconnecting-session url="${server.url}" ${FAST}></reconnecting-session>`);
    await waitForStatus(el, 'open');
    el.send('queued-before');
    const error = oneEvent(el, 'session-error');
    await server.send('{not json');
    expect((await error).detail.kind).to.equal('frame');
    expect(el.status).to.equal('open');
    const echoed = oneEvent(el, 'session-message');
    el.send('after');
    await echoed;
  });
});
