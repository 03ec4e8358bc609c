/** Close codes and the policy both sides agree on. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  /** No close frame arrived: the network failed, or the engine would not pass the code on. */
  abnormal: 1006,
  protocolError: 1002,
  unsupportedData: 1003,
  invalidData: 1007,
  policy: 1008,
  tooBig: 1009,
  internalError: 1011,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  /**
   * 1012 and 1013 in the range every engine hands the page intact (WebKitGTK turns 1012–1014 into 1006 and drops the
   * reason): plain WebSocket servers send these with `retry-after=N;spread=M` as the reason.
   */
  restarting: 4012,
  busy: 4013,
  unauthorized: 4401,
  forbidden: 4403,
  /** The session was closed by the application on the server: do not resume it. */
  sessionClosed: 4000,
  /** Another socket (a duplicated tab, a second window) took over the session: do not fight for it. */
  replaced: 4001,
  /** Sent by the client when it gives up on a socket (connect timeout, silent heartbeat, sequence gap). */
  abandoned: 4002,
} as const;

/**
 * Codes after which reconnecting cannot help: the client goes to `failed` at once. Not 1002: a
 * sequence gap is healed by resuming, which replays what is missing (the client bounds the retries).
 */
export function isFatalCloseCode(code: number): boolean {
  return (
    code === CloseCode.policy ||
    code === CloseCode.unauthorized ||
    code === CloseCode.forbidden ||
    code === CloseCode.unsupportedData ||
    code === CloseCode.invalidData ||
    code === CloseCode.tooBig
  );
}

/** A planned restart (a deploy): the server will be back, and says when. */
export function isRestartCode(code: number | null): boolean {
  return code === CloseCode.serviceRestart || code === CloseCode.restarting;
}

/** Codes that come with a retry hint (in the reason, or in a `retry` frame before the close). */
export function isRetryCode(code: number | null): boolean {
  return isRestartCode(code) || code === CloseCode.tryAgainLater || code === CloseCode.busy;
}

export interface RetryHint {
  afterMs: number;
  spreadMs: number;
}

/**
 * Reads a retry hint from a close reason such as `retry-after=5000;spread=10000` so plain
 * WebSocket servers can send one too; session-protocol servers also send a `retry` frame.
 */
export function parseRetryHint(reason: string): RetryHint | null {
  const after = /(?:^|;)\s*retry-after=(\d{1,9})/.exec(reason);
  if (!after) return null;
  const spread = /(?:^|;)\s*spread=(\d{1,9})/.exec(reason);
  return { afterMs: Number(after[1]), spreadMs: spread ? Number(spread[1]) : 0 };
}

export function formatRetryHint(hint: RetryHint): string {
  return `retry-after=${Math.round(hint.afterMs)};spread=${Math.round(hint.spreadMs)}`;
}
