import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import type { SessionServer } from '../../src/server/index.js';
import type { Session } from '../../src/server/session.js';
import { RawClient, startServer, until } from './support.js';
import { frame, rawWebSocket } from './raw-socket.js';

// Seeded so a failure can be replayed: FUZZ_SEED=<printed seed> npm run test:node
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const T = { timeout: 120_000 };

/** Text frames near the protocol: valid frames with fields mutated, plus arbitrary JSON and strings. */
const protocolText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      {
        t: fc.constantFrom('hello', 'msg', 'ack', 'ping', 'pong', 'error', 'welcome', 'retry', 'x', ''),
        v: fc.oneof(fc.constant(1), fc.integer(), fc.string()),
        seq: fc.oneof(fc.nat(5), fc.integer(), fc.double(), fc.string(), fc.constant(null)),
        ack: fc.oneof(fc.nat(5), fc.integer({ min: -5, max: 2 ** 53 }), fc.string()),
        sid: fc.oneof(fc.string({ maxLength: 40 }), fc.constant(undefined)),
        token: fc.oneof(fc.string({ maxLength: 60 }), fc.constant(undefined)),
        d: fc.jsonValue({ maxDepth: 2 }),
        b: fc.string({ maxLength: 20 }),
        code: fc.string(),
        message: fc.string(),
        ts: fc.oneof(fc.double(), fc.string()),
      },
      { requiredKeys: ['t'] },
    )
    .map((f) => JSON.stringify(f)),
);

/** Whole WebSocket frames with every header bit free, and plain garbage bytes. */
const wireBytes = fc.oneof(
  fc
    .record({
      opcode: fc.integer({ min: 0, max: 15 }),
      payload: fc.uint8Array({ maxLength: 64 }),
      fin: fc.boolean(),
      rsv: fc.integer({ min: 0, max: 7 }),
      mask: fc.boolean(),
      length: fc.option(fc.oneof(fc.nat(200), fc.constantFrom(126, 127, 65535, 2 ** 32, 2 ** 40)), { nil: undefined }),
    })
    .map(({ opcode, payload, length, ...bits }) =>
      frame(opcode, Buffer.from(payload), { ...bits, ...(length === undefined ? {} : { length }) }),
    ),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)),
);

describe(`hostile-input fuzz (seed ${seed})`, () => {
  let server: SessionServer;
  let url: string;
  const sessions: Session[] = [];
  const victims: RawClient[] = [];
  const victimSids: string[] = [];
  let frames = 0;

  before(async () => {
    ({ server, url } = await startServer({ ackDelayMs: 1, helloTimeoutMs: 200, closeTimeoutMs: 100 }));
    server.on('error', () => {});
    server.on('session', (s) => sessions.push(s));
    for (let i = 0; i < 2; i++) {
      const v = new RawClient(url);
      victimSids.push((await v.hello()).sid);
      victims.push(v);
    }
  });
  after(async () => {
    for (const v of victims) v.close();
    await server.close();
  });

  /** Victims exchange a numbered message each way: both arrive once, in order, on the same session. */
  let victimSeq = 0;
  async function victimsUndisturbed(): Promise<void> {
    victimSeq++;
    for (const [i, v] of victims.entries()) {
      const session = server.getSession(victimSids[i]!);
      assert.ok(session?.connected, `victim ${i} still attached (seed ${seed})`);
      v.send({ t: 'msg', seq: victimSeq, d: victimSeq });
      session.send(victimSeq);
      const m = await v.next('msg');
      assert.deepEqual([m.seq, m.d], [victimSeq, victimSeq], `victim ${i} in order (seed ${seed})`);
      v.send({ t: 'ack', seq: m.seq });
      await until(() => session.inSeq === victimSeq, `victim ${i} delivered (seed ${seed})`);
    }
  }

  it('protocol-level text frames, before and after the handshake', T, async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(protocolText, { minLength: 1, maxLength: 12 }), async (greet, texts) => {
        const ws = new WebSocket(url);
        ws.on('error', () => {});
        await new Promise((r) => ws.once('open', r));
        if (greet) ws.send(JSON.stringify({ t: 'hello', v: 1, ack: 0 }));
        for (const t of texts) ws.send(t);
        frames += texts.length;
        ws.terminate();
      }),
      { seed, numRuns: 600 },
    );
    await victimsUndisturbed();
  });

  it('wire-level frames, before and after the handshake', T, async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(wireBytes, { minLength: 1, maxLength: 10 }), async (greet, chunks) => {
        const c = await rawWebSocket(server.port);
        if (greet) c.socket.write(frame(1, Buffer.from(JSON.stringify({ t: 'hello', v: 1, ack: 0 }))));
        for (const chunk of chunks) c.socket.write(chunk);
        frames += chunks.length;
        c.socket.destroy();
      }),
      { seed, numRuns: 600 },
    );
    await victimsUndisturbed();
    assert.ok(frames >= 5000, `${frames} fuzzed frames`);
    // Every fuzzing socket is gone: what stays is bounded by sessions, which expire as usual.
    await until(() => server.wss.clients.size === victims.length, 'fuzz sockets closed', 10_000);
  });
});
