import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Outbox, OutboxFullError } from '../../src/client/outbox.js';

describe('Outbox', () => {
  it('numbers entries from 1 and acknowledges cumulatively', () => {
    const box = new Outbox<string>(10);
    for (const s of ['a', 'b', 'c']) box.push(s, 1);
    assert.equal(box.ack(2), 2);
    assert.deepEqual(
      box.entries().map((e) => [e.seq, e.data]),
      [[3, 'c']],
    );
    assert.equal(box.ack(1), 0);
  });

  it('refuses past its bounds instead of dropping', () => {
    const box = new Outbox<string>(2, 10);
    box.push('a', 4);
    box.push('b', 4);
    assert.throws(() => box.push('c', 1), OutboxFullError);
    box.ack(1);
    assert.throws(() => box.push('big', 7), /10 bytes/);
    box.push('c', 6);
    assert.deepEqual(
      box.entries().map((e) => e.data),
      ['b', 'c'],
    );
  });

  it('removes entries and numbers the rest on without a gap', () => {
    const box = new Outbox<string>(10);
    for (const s of ['a', 'b', 'BIG', 'c', 'HUGE', 'd']) box.push(s, 1);
    box.ack(1);
    const removed = box.remove((e) => e.data === e.data.toUpperCase());
    assert.deepEqual(
      removed.map((e) => [e.seq, e.data]),
      [
        [3, 'BIG'],
        [5, 'HUGE'],
      ],
    );
    assert.deepEqual(
      box.entries().map((e) => [e.seq, e.data]),
      [
        [2, 'b'],
        [3, 'c'],
        [4, 'd'],
      ],
    );
    assert.equal(box.lastSeq, 4);
    assert.equal(box.push('e', 1).seq, 5);
    box.remove(() => true);
    assert.equal(box.push('f', 1).seq, 2, 'the next seq follows the last one the peer may have');
  });

  it('renumbers waiting entries for a new session', () => {
    const box = new Outbox<string>(10);
    for (const s of ['a', 'b', 'c', 'd']) box.push(s, 1);
    box.ack(2);
    box.renumber();
    assert.deepEqual(
      box.entries().map((e) => [e.seq, e.data]),
      [
        [1, 'c'],
        [2, 'd'],
      ],
    );
    assert.equal(box.push('e', 1).seq, 3);
  });

  it('delivers every message exactly once and in order under any interleaving of sends, acks and resends', () => {
    // The receiver keeps the highest seq it has; resends after a "reconnect" replay what is unacknowledged.
    const op = fc.oneof(
      fc.record({ kind: fc.constant('send' as const) }),
      fc.record({ kind: fc.constant('deliver' as const), n: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ kind: fc.constant('ack' as const) }),
      fc.record({ kind: fc.constant('reconnect' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const box = new Outbox<number>(10_000);
        let wire: { seq: number; data: number }[] = [];
        const received: number[] = [];
        let highest = 0;
        let sent = 0;
        const deliver = (n: number) => {
          for (const f of wire.splice(0, n)) {
            if (f.seq <= highest) continue;
            if (f.seq !== highest + 1) throw new Error('gap');
            highest = f.seq;
            received.push(f.data);
          }
        };
        for (const o of ops) {
          if (o.kind === 'send') {
            const e = box.push(sent++, 1);
            wire.push({ seq: e.seq, data: e.data });
          } else if (o.kind === 'deliver') deliver(o.n);
          else if (o.kind === 'ack') box.ack(highest);
          else {
            // The socket died: frames in flight are lost, the peer says what it has, we resend the rest
            // (what the client does on a resumed welcome: ack its ack, then send every entry left).
            box.ack(highest);
            wire = box.entries().map((e) => ({ seq: e.seq, data: e.data }));
          }
        }
        deliver(Infinity);
        box.ack(highest);
        wire = box.entries().map((e) => ({ seq: e.seq, data: e.data }));
        deliver(Infinity);
        assert.deepEqual(
          received,
          Array.from({ length: sent }, (_, i) => i),
        );
      }),
    );
  });
});
