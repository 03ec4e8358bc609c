// The session-mode send path without the socket: what send() does to a payload before ws.send(),
// this build beside a baseline build's modules (bench/.baseline), rounds interleaved. Also counts
// JSON.stringify calls per send.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const LIMIT = 1_048_576;

async function sendPath(distDir) {
  const url = (p) => pathToFileURL(resolve(distDir, p)).href;
  const payload = await import(url('client/payload.js'));
  const { frameBytes } = await import(url('client/unsendable.js'));
  const { encodeFrame } = await import(url('protocol/frames.js'));
  // The steps send() takes in session mode with a server that announced its frame limit.
  if (payload.msgText) {
    return (seq, data) => {
      const wire = payload.toSessionWire(data);
      frameBytes(seq, wire, LIMIT);
      payload.wireSize(wire);
      return payload.msgText(seq, wire);
    };
  }
  return (seq, data) => {
    const wire = payload.toSessionWire(data);
    frameBytes(seq, wire, LIMIT);
    payload.wireSize(wire);
    return encodeFrame(payload.msgFrame(seq, wire));
  };
}

function stringifyCalls(fn, data) {
  const original = JSON.stringify;
  let calls = 0;
  JSON.stringify = (...args) => {
    calls++;
    return original(...args);
  };
  try {
    fn(1, data);
  } finally {
    JSON.stringify = original;
  }
  return calls;
}

export async function sendPathBench({ baselineDir, rounds = 7, ops = 100_000 } = {}) {
  const builds = { this: await sendPath('dist') };
  if (baselineDir) builds.before = await sendPath(`${baselineDir}/dist`);
  const rows = [];
  for (const size of [64, 1024]) {
    const data = { n: 12345, text: 'x'.repeat(size - 20) };
    const times = Object.fromEntries(Object.keys(builds).map((k) => [k, []]));
    for (let round = 0; round <= rounds; round++) {
      for (const [name, fn] of Object.entries(builds)) {
        const t0 = performance.now();
        for (let i = 0; i < ops; i++) fn(i + 1, data);
        const ns = ((performance.now() - t0) * 1e6) / ops;
        if (round > 0) times[name].push(ns);
      }
    }
    for (const [name, fn] of Object.entries(builds)) {
      const xs = times[name].sort((a, b) => a - b);
      rows.push({
        size,
        build: name,
        ns: xs[Math.floor(xs.length / 2)],
        min: xs[0],
        max: xs.at(-1),
        stringify: stringifyCalls(fn, data),
      });
    }
  }
  return rows;
}
