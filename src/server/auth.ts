/**
 * The application's `authenticate`, run behind a guard: whatever it does (throw, reject, hang, answer junk), the
 * server gets a user or null, and the hello or refresh that asked is refused with 4401 rather than crashing or
 * waiting for ever.
 */
import type { IncomingMessage } from 'node:http';

/** Who the credential names, and until when it is good (epoch ms; absent: as long as the socket lives). */
export interface AuthResult {
  user: string;
  expiresAt?: number;
}

/**
 * Checks a credential: the `auth` of a hello or of a refresh (undefined when the client sent none), with the
 * upgrade request of the socket it came on (its cookies, for cookie-based sign-in). Null refuses it (4401).
 */
export type Authenticate = (
  request: IncomingMessage,
  credential: string | undefined,
) => AuthResult | null | Promise<AuthResult | null>;

/** User names longer than this are junk, not a user (they are stored with every session). */
const MAX_USER_LENGTH = 512;

export class AuthError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthError';
    this.code = code;
  }
}

/** Runs `authenticate`; every failure is reported through `report` (never with the credential) and answered null. */
export async function checkCredential(
  authenticate: Authenticate,
  request: IncomingMessage,
  credential: string | undefined,
  timeoutMs: number,
  report: (error: Error) => void,
): Promise<AuthResult | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const answer = await Promise.race([Promise.resolve().then(() => authenticate(request, credential)), timeout]);
    if (answer === 'timeout') {
      report(new AuthError('ERR_AUTH_TIMEOUT', `authenticate did not answer within ${timeoutMs} ms`));
      return null;
    }
    if (answer === null || answer === undefined) return null;
    return validResult(answer, report);
  } catch (error) {
    report(new AuthError('ERR_AUTH_THREW', 'authenticate threw', { cause: error }));
    return null;
  } finally {
    clearTimeout(timer);
  }
}

function validResult(answer: unknown, report: (error: Error) => void): AuthResult | null {
  const r = answer as Partial<AuthResult>;
  const userOk = typeof r.user === 'string' && r.user.length > 0 && r.user.length <= MAX_USER_LENGTH;
  const expiresOk = r.expiresAt === undefined || Number.isFinite(r.expiresAt);
  if (typeof answer === 'object' && userOk && expiresOk) {
    return r.expiresAt === undefined ? { user: r.user! } : { user: r.user!, expiresAt: r.expiresAt! };
  }
  report(
    new AuthError(
      'ERR_AUTH_RESULT',
      `authenticate must answer { user: a non-empty string of at most ${MAX_USER_LENGTH} characters, ` +
        'expiresAt?: epoch ms } or null',
    ),
  );
  return null;
}

/** When to ask for a fresh credential: a tenth of the time left before expiry, between 1 s and 60 s ahead. */
export function reauthAt(expiresAt: number, now: number): number {
  const margin = Math.min(60_000, Math.max(1000, (expiresAt - now) / 10));
  return Math.max(now, expiresAt - margin);
}
