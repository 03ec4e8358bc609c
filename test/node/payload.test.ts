import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MsgFrame } from '../../src/protocol/frames.js';
import { msgData, msgText, plainData, toPlainWire, toSessionWire, type WirePayload } from '../../src/client/payload.js';

const msgFrame = (seq: number, w: WirePayload) => JSON.parse(msgText(seq, w)) as MsgFrame;

describe('payload', () => {
  it('plain mode: strings as they are, binary copied, anything else as JSON text', () => {
    assert.equal(plainData(toPlainWire('hi')), 'hi');
    assert.equal(plainData(toPlainWire({ a: 1 })), '{"a":1}');
    const bytes = new Uint8Array([1, 2, 3]);
    const wire = toPlainWire(bytes);
    bytes[0] = 9;
    assert.deepEqual(
      new Uint8Array(plainData(wire) as ArrayBuffer),
      new Uint8Array([1, 2, 3]),
      'queued copy is unaffected',
    );
    assert.throws(() => toPlainWire(undefined as never), TypeError);
  });

  it('session mode: JSON in d, bytes as base64 in b, and back', () => {
    const json = msgFrame(3, toSessionWire({ x: [1, 'y'] }));
    assert.deepEqual(json, { t: 'msg', seq: 3, d: { x: [1, 'y'] } });
    const bin = msgFrame(4, toSessionWire(new Uint8Array([255, 0, 7])));
    assert.deepEqual(bin, { t: 'msg', seq: 4, b: '/wAH' });
    assert.deepEqual(new Uint8Array(msgData(bin) as ArrayBuffer), new Uint8Array([255, 0, 7]));
    assert.throws(() => toSessionWire(new Blob(['x'])), /Blob is not supported in session mode/);
  });

  it('carries messages queued in one mode into the other', () => {
    assert.deepEqual(msgFrame(1, toPlainWire('text')), { t: 'msg', seq: 1, d: 'text' });
    assert.deepEqual(msgFrame(2, toPlainWire(new Uint8Array([1]))), { t: 'msg', seq: 2, b: 'AQ==' });
    assert.equal(plainData(toSessionWire({ a: 2 })), '{"a":2}');
    assert.deepEqual(
      new Uint8Array(plainData(toSessionWire(new Uint8Array([5, 6]))) as ArrayBuffer),
      new Uint8Array([5, 6]),
    );
  });

  it('builds the same frame text as encoding the whole frame, from the payload encoded once', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 2 ** 40 }), (value, seq) => {
        const d = JSON.parse(JSON.stringify(value)) as unknown;
        assert.equal(msgText(seq, toSessionWire(value as never)), JSON.stringify({ t: 'msg', seq, d }));
      }),
    );
    assert.equal(msgText(2, toSessionWire(new Uint8Array([1]))), JSON.stringify({ t: 'msg', seq: 2, b: 'AQ==' }));
    assert.equal(msgText(3, toPlainWire('a"b')), JSON.stringify({ t: 'msg', seq: 3, d: 'a"b' }));
  });

  it('keeps what was sent: changing the object after send() does not change the queued message', () => {
    const value = { n: 1 };
    const wire = toSessionWire(value);
    value.n = 2;
    assert.deepEqual(msgFrame(1, wire).d, { n: 1 });
  });
});
