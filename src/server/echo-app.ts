/** Example application: echo, a tiny chat across sessions, and an optional ticker. */
import type { SessionServer } from './session-server.js';
import { SessionBufferFullError, type Session } from './session.js';
import type { JsonValue } from '../protocol/frames.js';

export interface EchoAppOptions {
  /** Sends `{tick: n, at}` to every connected session once a second. */
  ticker?: boolean;
}

/** Sends unless the session is at its bound; the example prefers skipping a client that is not reading to failing. */
function offer(session: Session, data: JsonValue | Uint8Array): boolean {
  try {
    session.send(data);
    return true;
  } catch (error) {
    if (error instanceof SessionBufferFullError) return false;
    throw error;
  }
}

export function attachEchoApp(server: SessionServer, options: EchoAppOptions = {}): () => void {
  const live = new Set<Session>();
  let tick = 0;
  let guests = 0;
  server.on('session', (session) => {
    live.add(session);
    // A name of its own: part of the session ID would hand every other user a head start on it.
    const name = `guest ${++guests}`;
    session.on('close', () => live.delete(session));
    session.on('message', (data) => {
      const value = data as JsonValue;
      if (value && typeof value === 'object' && !Array.isArray(value) && typeof value.chat === 'string') {
        const note = { chat: value.chat.slice(0, 2000), from: name };
        let skipped = 0;
        for (const s of live) if (!offer(s, note)) skipped++;
        if (skipped > 0) offer(session, { skipped });
        return;
      }
      offer(session, data instanceof Uint8Array ? data : { echo: value });
    });
  });
  const timer = options.ticker
    ? setInterval(() => {
        tick++;
        // Only connected sessions: a ticker must not fill the replay buffer of a session that is away.
        for (const s of live) if (s.connected) offer(s, { tick, at: Date.now() });
      }, 1000)
    : undefined;
  timer?.unref();
  return () => clearInterval(timer);
}
