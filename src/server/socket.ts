/** Closing a socket the server is done with, without trusting the client to answer. */
import type { WebSocket } from 'ws';

/**
 * Sends a close frame and cuts the socket if the client's close frame has not come back within `timeoutMs`
 * (ws alone would wait 30 s, holding a descriptor for a client that may never answer).
 */
export function closeSocket(ws: WebSocket, code: number, reason: string, timeoutMs: number): void {
  if (ws.readyState > 1) return;
  closesSent.set(ws, code);
  ws.close(code, reason);
  const timer = setTimeout(() => ws.terminate(), timeoutMs);
  timer.unref();
  ws.once('close', () => clearTimeout(timer));
}

/** The code of the close frame the server sent on a socket, so metrics can tell closes it started from the client's. */
const closesSent = new WeakMap<WebSocket, number>();

export function closeCodeSent(ws: WebSocket): number | undefined {
  return closesSent.get(ws);
}
