/** Errors the server reports (through its `error` event, or as a rejection): a stable `code`, and the `cause` it wraps. */
export type SessionServerErrorCode =
  /** A session's write to the store failed; it is retried until it lands or the session is let go. */
  | 'ERR_STORE_WRITE'
  /** The store did not answer a resume: the client was asked to come back soon. */
  | 'ERR_STORE_UNAVAILABLE'
  /** Leases of the sessions this node holds were not renewed (reported once per outage). */
  | 'ERR_STORE_LEASE'
  /** The sweep against the store failed; the next one tries again. */
  | 'ERR_STORE_SWEEP'
  /** Data for a session another node owns could not be queued for it, or the session is gone. */
  | 'ERR_FORWARD'
  /** What other nodes queued for a session could not be read. */
  | 'ERR_INBOX'
  /** A message to another node (a hand-over request, a hint) could not be published. */
  | 'ERR_NODE_MESSAGE'
  /** `RedisStore` or `--redis` without the optional peer dependency ioredis installed. */
  | 'ERR_IOREDIS_MISSING';

export class SessionServerError extends Error {
  readonly code: SessionServerErrorCode;

  constructor(code: SessionServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SessionServerError';
    this.code = code;
  }
}

/** Wraps `cause` (anything a store or ioredis threw), keeping its message in the text for logs that show only that. */
export function wrap(code: SessionServerErrorCode, context: string, cause: unknown): SessionServerError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new SessionServerError(code, `${context}: ${message}`, { cause });
}
