/** A scripted session-protocol peer for client tests: no server logic, only the frames a test sends. */
import { WebSocket, WebSocketServer } from 'ws';

export interface ScriptedPeer {
  url: string;
  /** Every connection's hello, in order. */
  hellos: Record<string, unknown>[];
  /** Every frame the client sent after its hellos. */
  frames: Record<string, unknown>[];
  /** The path and query of each connection. */
  urls: string[];
  clients: () => Set<WebSocket>;
  close: () => Promise<unknown>;
}

/** Each connection gets `script(ws, hello, n)` once its hello arrives (n counts from 1). */
export async function scriptedServer(
  script: (ws: WebSocket, hello: Record<string, unknown>, n: number) => void,
): Promise<ScriptedPeer> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.on('listening', resolve));
  const hellos: Record<string, unknown>[] = [];
  const frames: Record<string, unknown>[] = [];
  const urls: string[] = [];
  wss.on('connection', (ws, req) => {
    urls.push(req.url ?? '');
    ws.once('message', (data) => {
      const hello = JSON.parse(data.toString());
      hellos.push(hello);
      ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
      script(ws, hello, hellos.length);
    });
  });
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/`,
    hellos,
    frames,
    urls,
    clients: () => wss.clients,
    close: () => new Promise((r) => wss.close(r)),
  };
}

export const send = (ws: WebSocket, frame: object) => ws.send(JSON.stringify(frame));

export const welcome = (extra: object = {}) => ({
  t: 'welcome',
  sid: 'sid-1',
  token: 'tok-1',
  resumed: false,
  ack: 0,
  lifetimeMs: 15000,
  ...extra,
});
