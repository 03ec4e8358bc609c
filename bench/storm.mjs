// Reconnect storm: many clients in Node, through the public `reconnecting-session/client` export,
// lose their sockets at the same moment (the server process terminates every socket). Reported:
// the largest share of them coming back within any 100 ms window, the time until the last one is
// back, and how many resumed their session. The default schedule (1 s, jitter ±50 %) spreads them.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { NO_ATTRIBUTES, parseConfig, SessionClient } from 'reconnecting-session/client';

export async function storm({ clients = 500 } = {}) {
  const child = fork(new URL('./server-child.mjs', import.meta.url), [], { execArgv: ['--expose-gc'] });
  const [{ port }] = await once(child, 'message');
  const url = `ws://127.0.0.1:${port}/`;
  const { config } = parseConfig({ ...NO_ATTRIBUTES, url, protocol: 'session' }, url);
  let dropAt = 0;
  const back = [];
  let resumed = 0;
  let opened = 0;
  const all = [];
  for (let i = 0; i < clients; i++) {
    const c = new SessionClient(
      config,
      {
        status: (d) => d.status === 'open' && opened++,
        message() {},
        error() {},
        session: (d) => d.resumed && resumed++,
        recovered: () => back.push(performance.now() - dropAt),
        sessionId() {},
      },
      { WebSocket },
    );
    c.connect();
    all.push(c);
  }
  while (opened < clients) await new Promise((r) => setTimeout(r, 20));
  dropAt = performance.now();
  child.send({ cmd: 'drop' });
  const deadline = Date.now() + 60_000;
  while (back.length < clients && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  back.sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < back.length; i++) {
    while (back[i] - back[j] > 100) j++;
    peak = Math.max(peak, i - j + 1);
  }
  for (const c of all) c.dispose();
  child.send({ cmd: 'close' });
  await once(child, 'exit');
  return {
    clients,
    back: back.length,
    resumed,
    peakShare100ms: peak / clients,
    firstBackMs: back[0],
    lastBackMs: back.at(-1),
  };
}
