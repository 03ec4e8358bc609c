import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  base64ToBytes,
  bytesToBase64,
  decodeClientFrame,
  decodeServerFrame,
  encodeFrame,
  ProtocolError,
  type ClientFrame,
  type ServerFrame,
} from '../../src/protocol/frames.js';
import { formatRetryHint, isFatalCloseCode, parseRetryHint } from '../../src/protocol/close-codes.js';

describe('frames', () => {
  const both: (ClientFrame & ServerFrame)[] = [
    { t: 'msg', seq: 1, d: { a: [1, 'x', null] } },
    { t: 'msg', seq: 2, b: 'AQID' },
    { t: 'ack', seq: 4 },
    { t: 'ping', ts: 5 },
    { t: 'pong' },
    { t: 'error', code: 'bad-frame', message: 'why' },
  ];
  const fromClient: ClientFrame[] = [
    { t: 'hello', v: 1, ack: 0 },
    { t: 'hello', v: 1, ack: 7, sid: 's', token: 'k' },
    { t: 'hello', v: 1, ack: 0, auth: 'credential' },
    { t: 'auth', auth: 'fresh credential' },
  ];
  const fromServer: ServerFrame[] = [
    { t: 'welcome', sid: 's', token: 'k', resumed: true, ack: 3, lifetimeMs: 15000, seq: 9 },
    { t: 'welcome', sid: 's', token: 'k', resumed: false, ack: 0, lifetimeMs: 15000, reason: 'replay-gap' },
    { t: 'retry', afterMs: 1000, spreadMs: 500 },
    { t: 'retry', afterMs: 1000, spreadMs: 500, code: 1012 },
    { t: 'reauth', before: 1_800_000_000_000 },
  ];

  it('decodes every frame type its side receives', () => {
    for (const f of [...both, ...fromClient]) assert.deepEqual(decodeClientFrame(encodeFrame(f)), f);
    for (const f of [...both, ...fromServer]) assert.deepEqual(decodeServerFrame(encodeFrame(f)), f);
  });

  it('refuses a valid frame that only the other side sends (bad-frame, 1007)', () => {
    const refused = (e: unknown) => e instanceof ProtocolError && e.code === 'bad-frame' && e.closeCode === 1007;
    for (const f of fromServer) {
      assert.throws(() => decodeClientFrame(encodeFrame(f)), refused);
      assert.throws(() => decodeClientFrame(encodeFrame(f)), new RegExp(`a client sends no frame of type "${f.t}"`));
    }
    for (const f of fromClient) {
      assert.throws(() => decodeServerFrame(encodeFrame(f)), refused);
      assert.throws(() => decodeServerFrame(encodeFrame(f)), new RegExp(`a server sends no frame of type "${f.t}"`));
    }
  });

  it('passes on a new-session reason it does not know (a newer server), and the frame limit', () => {
    const text =
      '{"t":"welcome","sid":"s","token":"k","resumed":false,"ack":0,"lifetimeMs":1,"reason":"moved","maxFrameBytes":9}';
    const f = decodeServerFrame(text);
    assert.deepEqual(f.t === 'welcome' && [f.reason, f.maxFrameBytes], ['moved', 9]);
  });

  const decoders = { client: decodeClientFrame, server: decodeServerFrame };
  const invalid: [keyof typeof decoders, string][] = [
    ['server', '{"t":"welcome","sid":"s","token":"k","resumed":false,"ack":0,"lifetimeMs":1,"maxFrameBytes":-1}'],
    ['client', 'not json'],
    ['server', 'not json'],
    ['client', '[1,2]'],
    ['server', '{"t":"nope"}'],
    ['client', '{"t":"nope"}'],
    ['client', '{"t":"msg","seq":0,"d":1}'],
    ['server', '{"t":"msg","seq":1.5,"d":1}'],
    ['client', '{"t":"msg","seq":1}'],
    ['server', '{"t":"msg","seq":1,"d":1,"b":"AA=="}'],
    ['client', '{"t":"hello","v":1}'],
    ['client', '{"t":"hello","v":1,"ack":0,"sid":5}'],
    ['server', '{"t":"welcome","sid":"s","token":"k","resumed":"yes","ack":0,"lifetimeMs":1}'],
    ['server', '{"t":"welcome","sid":"s","token":"k","resumed":false,"ack":0,"lifetimeMs":1,"reason":7}'],
    ['client', '{"t":"ack","seq":-1}'],
    ['server', '{"t":"ping","ts":"now"}'],
    ['client', '{"t":"error","code":1,"message":"m"}'],
    ['server', '{"t":"retry","afterMs":-5,"spreadMs":0}'],
  ];
  for (const [from, text] of invalid) {
    it(`rejects ${text} from a ${from} with a ProtocolError (1007)`, () => {
      assert.throws(
        () => decoders[from](text),
        (e: unknown) => e instanceof ProtocolError && e.closeCode === 1007,
      );
    });
  }

  it('names the field and what it must be', () => {
    const cases: [(text: string) => unknown, string, string][] = [
      [decodeServerFrame, '{"t":"welcome","sid":"s","token":7}', 'welcome.token must be a string'],
      [decodeServerFrame, '{"t":"retry","afterMs":1,"spreadMs":-1}', 'retry.spreadMs must be a duration'],
      [decodeClientFrame, '{"t":"hello","v":1,"ack":0.5}', 'hello.ack must be a non-negative integer'],
      [decodeClientFrame, '{"t":"msg","seq":0,"d":1}', 'msg.seq must be a positive integer'],
      [decodeClientFrame, '{"t":"msg","seq":1,"b":2}', 'msg.b must be a base64 string'],
      [decodeServerFrame, '{"t":"pong","ts":"x"}', 'pong.ts must be a number'],
    ];
    for (const [decode, text, message] of cases) assert.throws(() => decode(text), { message });
  });

  it('round-trips any msg payload (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.jsonValue(), (seq, d) => {
        const frame = { t: 'msg' as const, seq, d: JSON.parse(JSON.stringify(d)) };
        assert.deepEqual(decodeClientFrame(encodeFrame(frame)), frame);
        assert.deepEqual(decodeServerFrame(encodeFrame(frame)), frame);
      }),
    );
  });

  it('never throws anything but ProtocolError on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        for (const decode of [decodeClientFrame, decodeServerFrame]) {
          try {
            decode(text);
          } catch (e) {
            assert.ok(e instanceof ProtocolError);
          }
        }
      }),
    );
  });

  it('base64 round-trips bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70000 }), (bytes) => {
        assert.deepEqual(base64ToBytes(bytesToBase64(bytes)), bytes);
      }),
      { numRuns: 30 },
    );
  });
});

describe('close codes', () => {
  it('treats policy, auth and rejected-frame codes as fatal, and restarts and a sequence gap as not', () => {
    assert.deepEqual([1008, 4401, 4403, 1003, 1007, 1009].map(isFatalCloseCode), [true, true, true, true, true, true]);
    // 1002 (a sequence gap) is resumed: the replay fills the gap (docs/protocol.md, step 4).
    assert.deepEqual([1000, 1001, 1002, 1006, 1011, 1012, 1013, 4000].map(isFatalCloseCode), [
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('parses and formats retry hints', () => {
    assert.deepEqual(parseRetryHint('retry-after=5000;spread=10000'), { afterMs: 5000, spreadMs: 10000 });
    assert.deepEqual(parseRetryHint('retry-after=250'), { afterMs: 250, spreadMs: 0 });
    assert.equal(parseRetryHint('going away'), null);
    assert.equal(formatRetryHint({ afterMs: 1.4, spreadMs: 2.6 }), 'retry-after=1;spread=3');
  });
});
