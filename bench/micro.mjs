// Micro benchmarks of the hot paths, each beside a plain baseline measured in the same run.
import { performance } from 'node:perf_hooks';
import { Outbox } from '../dist/client/outbox.js';
import { decodeFrame, encodeFrame } from '../dist/protocol/frames.js';

function time(fn, iterations) {
  fn(Math.min(iterations, 1000));
  const start = performance.now();
  fn(iterations);
  return performance.now() - start;
}

/** Medians of several rounds, ours and the baseline interleaved so both see the same machine state. */
function pair(ours, baseline, iterations, rounds = 7) {
  const a = [];
  const b = [];
  for (let i = 0; i < rounds; i++) {
    a.push(time(ours, iterations));
    b.push(time(baseline, iterations));
  }
  const mid = (xs) => xs.sort((x, y) => x - y)[Math.floor(rounds / 2)];
  return [mid(a), mid(b)];
}

export function microBenchmarks() {
  const n = 200_000;
  const rows = [];

  const [outbox, array] = pair(
    (k) => {
      const box = new Outbox(Infinity);
      for (let i = 0; i < k; i++) {
        box.push(i, 8);
        if (i % 16 === 15) box.ack(i - 4);
      }
    },
    (k) => {
      const q = [];
      for (let i = 0; i < k; i++) {
        q.push(i);
        if (i % 16 === 15) q.splice(0, q.length - 4);
      }
    },
    n,
  );
  rows.push({
    case: 'outbox push + batched ack',
    ours: outbox,
    baseline: array,
    baselineName: 'bare array push/splice',
  });

  const text = encodeFrame({ t: 'msg', seq: 123456, d: { user: 'ada', text: 'hello world', n: [1, 2, 3] } });
  const [decode, parse] = pair(
    (k) => {
      for (let i = 0; i < k; i++) decodeFrame(text);
    },
    (k) => {
      for (let i = 0; i < k; i++) JSON.parse(text);
    },
    n,
  );
  rows.push({ case: 'decode + validate a msg frame', ours: decode, baseline: parse, baselineName: 'JSON.parse only' });

  return rows.map((r) => ({
    case: r.case,
    'ours ns/op': ((r.ours * 1e6) / n).toFixed(0),
    'baseline ns/op': ((r.baseline * 1e6) / n).toFixed(0),
    baseline: r.baselineName,
    ratio: (r.ours / r.baseline).toFixed(2),
  }));
}
