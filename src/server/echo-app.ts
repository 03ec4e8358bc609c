/** Example application: echo, a tiny chat across sessions, and an optional ticker. */
import type { SessionServer } from './session-server.js';
import type { Session } from './session.js';
import type { JsonValue } from '../protocol/frames.js';

export interface EchoAppOptions {
  /** Sends `{tick: n, at}` to every connected session once a second. */
  ticker?: boolean;
}

export function attachEchoApp(server: SessionServer, options: EchoAppOptions = {}): () => void {
  const live = new Set<Session>();
  let tick = 0;
  server.on('session', (session) => {
    live.add(session);
    session.on('close', () => live.delete(session));
    session.on('message', (data) => {
      const value = data as JsonValue;
      if (value && typeof value === 'object' && !Array.isArray(value) && typeof value.chat === 'string') {
        const note = { chat: value.chat.slice(0, 2000), from: session.id.slice(0, 6) };
        for (const s of live) s.send(note);
        return;
      }
      session.send(data instanceof Uint8Array ? data : { echo: value });
    });
  });
  const timer = options.ticker
    ? setInterval(() => {
        tick++;
        // Only connected sessions: a ticker must not fill the replay buffer of a session that is away.
        for (const s of live) if (s.connected) s.send({ tick, at: Date.now() });
      }, 1000)
    : undefined;
  timer?.unref();
  return () => clearInterval(timer);
}
