/**
 * An `authenticate` for HS256 JSON Web Tokens (the CLI's `--jwt-secret-file`): `sub` names the user, `exp`
 * says until when. Verification is jose's; this module pins the algorithm and bounds the input.
 */
import { readFileSync } from 'node:fs';
import type { Authenticate } from './auth.js';

export interface JwtAuthOptions {
  /** The shared HMAC secret, at least 32 bytes (RFC 7518 §3.2: an HS256 key no shorter than its hash). */
  secret: string | Uint8Array;
  /** When set, the token's `iss` must be this. */
  issuer?: string;
  /** When set, the token's `aud` must name this. */
  audience?: string;
  /** Seconds of clock difference forgiven on `exp` and `nbf` (default 0). */
  clockToleranceSec?: number;
}

/** HS256 only: a list an attacker's header can choose from is how `alg: none` and key-confusion attacks get in. */
const ALGORITHMS = ['HS256'];
/** Real tokens are a few hundred bytes; a longer credential is refused before any decoding or HMAC work. */
export const MAX_JWT_LENGTH = 8192;
const MIN_SECRET_BYTES = 32;

/**
 * Returns an `authenticate` that accepts a JWT signed with `secret` (HS256, with a string `sub`, within its
 * `exp` and `nbf`) and answers `{ user: sub, expiresAt: exp in ms }`; anything else is null (close 4401).
 */
export function jwtAuthenticate(options: JwtAuthOptions): Authenticate {
  const key = typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret;
  if (!(key instanceof Uint8Array) || key.byteLength < MIN_SECRET_BYTES)
    throw new TypeError(
      `jwtAuthenticate: the HS256 secret must be at least ${MIN_SECRET_BYTES} bytes ` +
        `(RFC 7518 §3.2), not ${key instanceof Uint8Array ? key.byteLength : typeof key}`,
    );
  const verifyOptions = {
    algorithms: ALGORITHMS,
    requiredClaims: ['sub'],
    ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
    ...(options.audience !== undefined ? { audience: options.audience } : {}),
    ...(options.clockToleranceSec !== undefined ? { clockTolerance: options.clockToleranceSec } : {}),
  };
  // Loaded on first use, so `reconnecting-session/server` costs nothing more for applications without JWTs.
  let jose: Promise<[typeof import('jose/jwt/verify'), typeof import('jose/errors')]> | undefined;
  return async (_request, credential) => {
    if (typeof credential !== 'string' || credential.length === 0 || credential.length > MAX_JWT_LENGTH) return null;
    jose ??= Promise.all([import('jose/jwt/verify'), import('jose/errors')]);
    const [{ jwtVerify }, { JOSEError }] = await jose;
    try {
      const { payload } = await jwtVerify(credential, key, verifyOptions);
      if (typeof payload.sub !== 'string' || payload.sub.length === 0) return null;
      return payload.exp === undefined ? { user: payload.sub } : { user: payload.sub, expiresAt: payload.exp * 1000 };
    } catch (error) {
      // A bad token is an ordinary refusal; anything else is a fault the server reports (without the token).
      if (error instanceof JOSEError) return null;
      throw error;
    }
  };
}

/**
 * Reads an HS256 secret from `file` as its bytes, less the line end an editor or `echo` leaves. Errors name
 * the file and what is wrong with it in one line, never the content.
 */
export function readJwtSecretFile(file: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new Error(`cannot read ${JSON.stringify(file)}: ${reason}`, { cause: error });
  }
  const secret = bytes.subarray(0, bytes.toString('latin1').replace(/\r?\n$/, '').length);
  if (secret.byteLength === 0) throw new Error(`${JSON.stringify(file)} is empty`);
  return new Uint8Array(secret);
}
