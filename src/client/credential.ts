/** The page's credential (`auth`): a string, or a function that makes one, perhaps asynchronously. */
export type Credential = string | (() => string | PromiseLike<string>);

/**
 * Calls `source` and hands `done` the credential, or null and why there is none. Never throws: a
 * function that throws or rejects must end in a clear outcome, not a stalled connection loop. The
 * page's error is not passed on, since its message may quote the credential.
 */
export function getCredential(source: Credential, done: (auth: string | null, why?: string) => void): void {
  let value: unknown;
  try {
    value = typeof source === 'function' ? source() : source;
  } catch {
    return done(null, 'threw');
  }
  if (typeof value === 'string') return done(value);
  Promise.resolve(value).then(
    (v) => (typeof v === 'string' ? done(v) : done(null, 'gave no string')),
    () => done(null, 'rejected'),
  );
}

/**
 * Plain mode: the subprotocols that carry the credential, the one header a page may set on the upgrade (as Phoenix and
 * Kubernetes do), so it stays out of the URL. base64url without padding keeps any credential within the token
 * characters a subprotocol may hold. The first is there for the server to select: Chromium fails a handshake whose
 * response selects none of the offered protocols, selecting the bearer one would echo the credential back, and
 * `ws` selects the first by default.
 */
export function credentialProtocols(credential: string): string[] {
  let bytes = '';
  for (const b of new TextEncoder().encode(credential)) bytes += String.fromCharCode(b);
  return [
    'reconnecting-session',
    `base64url.bearer.${btoa(bytes).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}`,
  ];
}
