// Peer libraries, bundled the way this project bundles itself (rollup, node-resolve for the browser,
// terser with the same options), so sizes and page costs compare like with like. Each peer gets two
// bundles: the import a page needs (for the size column) and that import plus a small adapter the bench
// page drives: open(urls) → { send(value), onmessage(cb), close() }, JSON values in and out.
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { rollup } from 'rollup';
import { measure } from './size.mjs';

const opened = (target) => `new Promise((resolve, reject) => {
  ${target}.addEventListener('open', resolve, { once: true });
  ${target}.addEventListener('error', reject, { once: true });
})`;

// Text sockets carry JSON text, parsed and stringified by the page as with a raw WebSocket; the others
// take values and serialise them themselves.
const textSocket = (cls) => `export async function open(urls) {
  const ws = new ${cls}(urls.raw);
  await ${opened('ws')};
  return {
    send: (v) => ws.send(JSON.stringify(v)),
    onmessage: (cb) => ws.addEventListener('message', (e) => cb(JSON.parse(e.data))),
    close: () => ws.close(),
  };
}`;

export const PEERS = {
  'reconnecting-websocket': {
    size: `export { default } from 'reconnecting-websocket';`,
    bench: `import ReconnectingWebSocket from 'reconnecting-websocket';\n${textSocket('ReconnectingWebSocket')}`,
  },
  partysocket: {
    size: `export { WebSocket } from 'partysocket';`,
    bench: `import { WebSocket as PartyWebSocket } from 'partysocket';\n${textSocket('PartyWebSocket')}`,
  },
  'socket.io-client': {
    size: `export { io } from 'socket.io-client';`,
    bench: `import { io } from 'socket.io-client';
export async function open(urls) {
  const socket = io(urls.socketio, { transports: ['websocket'] });
  await new Promise((resolve) => socket.once('connect', resolve));
  return { send: (v) => socket.emit('m', v), onmessage: (cb) => socket.on('m', cb), close: () => socket.close() };
}`,
  },
  '@microsoft/signalr': {
    size: `export { HubConnectionBuilder, HttpTransportType } from '@microsoft/signalr';`,
    bench: `import { HubConnectionBuilder, HttpTransportType, LogLevel } from '@microsoft/signalr';
export async function open(urls) {
  const c = new HubConnectionBuilder()
    .withUrl(urls.signalr, { skipNegotiation: true, transport: HttpTransportType.WebSockets })
    .configureLogging(LogLevel.None)
    .build();
  await c.start();
  return { send: (v) => c.send('echo', v), onmessage: (cb) => c.on('m', cb), close: () => c.stop() };
}`,
  },
  phoenix: {
    size: `export { Socket } from 'phoenix';`,
    bench: `import { Socket } from 'phoenix';
export async function open(urls) {
  const socket = new Socket(urls.phoenix, { logger: null });
  socket.connect();
  const channel = socket.channel('bench:echo', {});
  await new Promise((resolve, reject) => channel.join().receive('ok', resolve).receive('error', reject));
  return {
    send: (v) => channel.push('m', v),
    onmessage: (cb) => channel.on('m', cb),
    close: () => socket.disconnect(),
  };
}`,
  },
  lit: { size: `export { LitElement, html, css, nothing } from 'lit';` },
};

const minify = { ecma: 2020, compress: { passes: 2 }, format: { comments: false }, module: true, toplevel: true };

async function build(code, file) {
  const entry = '\0peer-entry';
  const bundle = await rollup({
    input: entry,
    onwarn: () => {},
    plugins: [
      { name: 'entry', resolveId: (id) => (id === entry ? id : null), load: (id) => (id === entry ? code : null) },
      nodeResolve({ browser: true }),
    ],
  });
  await bundle.write({ file, format: 'es', plugins: [terser(minify)] });
  await bundle.close();
}

/** Builds every peer into bench/.peers/: { name: { file (bench bundle or null), gzip, bytes, version } }. */
export async function buildPeers(names = Object.keys(PEERS)) {
  const dir = resolve('bench/.peers');
  mkdirSync(dir, { recursive: true });
  const out = {};
  for (const name of names) {
    const safe = name.replace(/[^a-z0-9.-]/gi, '_');
    const sizeFile = `${dir}/${safe}.size.js`;
    await build(PEERS[name].size, sizeFile);
    let file = null;
    if (PEERS[name].bench) {
      file = `${dir}/${safe}.bench.js`;
      await build(PEERS[name].bench, file);
    }
    const { version } = JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8'));
    out[name] = { file, version, ...measure(sizeFile) };
  }
  return out;
}
