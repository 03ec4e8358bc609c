/** Example application: echo, a tiny chat across sessions, and an optional ticker. */
import type { SessionServer } from './session-server.js';
import type { Session } from './session.js';
import type { JsonValue } from '../protocol/frames.js';
import { ReplyQueue } from './reply-queue.js';

export interface EchoAppOptions {
  /** Sends `{tick: n, at}` to every connected session once a second. */
  ticker?: boolean;
}

const MAX_CHAT_CHARS = 2000;
/** Chats one session may post per second on average, and in a burst: one client must not fan out without limit. */
const CHATS_PER_SECOND = 5;
const CHAT_BURST = 20;

export function attachEchoApp(server: SessionServer, options: EchoAppOptions = {}): () => void {
  const live = new Set<Session>();
  let tick = 0;
  let guests = 0;
  server.on('session', (session) => {
    live.add(session);
    // A name of its own: part of the session ID would hand every other user a head start on it.
    const name = `guest ${++guests}`;
    // Replies are owed exactly once, in order: what the session cannot take now waits for its `drain`.
    const replies = new ReplyQueue(session);
    let allowance = CHAT_BURST;
    let lastChat = Date.now();
    session.on('close', () => {
      live.delete(session);
      replies.clear();
    });
    session.on('message', (data) => {
      const value = data as JsonValue;
      if (value && typeof value === 'object' && !Array.isArray(value) && typeof value.chat === 'string') {
        const now = Date.now();
        allowance = Math.min(CHAT_BURST, allowance + ((now - lastChat) / 1000) * CHATS_PER_SECOND);
        lastChat = now;
        if (allowance < 1) return replies.push({ refused: 'chat', reason: 'too many chats; wait a moment' });
        allowance--;
        // A chat to others is news, not a reply: a session that is not reading skips it and the sender is told.
        const { refused } = server.broadcast({ chat: value.chat.slice(0, MAX_CHAT_CHARS), from: name }, live);
        if (refused > 0) replies.push({ skipped: refused });
        return;
      }
      replies.push(data instanceof Uint8Array ? data : { echo: value });
    });
  });
  const timer = options.ticker
    ? setInterval(() => {
        tick++;
        // Only connected sessions: a ticker must not fill the replay buffer of a session that is away.
        const connected = [...live].filter((s) => s.connected);
        server.broadcast({ tick, at: Date.now() }, connected);
      }, 1000)
    : undefined;
  timer?.unref();
  return () => clearInterval(timer);
}
