// Guest sign-in for the demo: an HttpOnly cookie names the guest, and POST /token hands out a short-lived
// HS256 JWT for that guest, which the page's `auth` function fetches before every attempt and whenever the
// session server asks for a fresh one, so refreshes happen every minute or so while a person watches.
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { jwtAuthenticate } from '../dist/server/index.js';

export function guestTokens({ ttlSeconds = 60 } = {}) {
  // A secret per demo process: nothing outlives it, and a restart only means fresh tokens.
  const secret = randomBytes(32);
  return {
    authenticate: jwtAuthenticate({ secret }),
    /** Answers POST /token; false for any other request. */
    async handle(req, res) {
      if (req.method !== 'POST' || req.url !== '/token') return false;
      // The same guest on every refresh: a refreshed token for another user would be refused (4403).
      const guest = /(?:^|;\s*)rs-guest=([\w-]{22})(?:;|$)/.exec(req.headers.cookie ?? '')?.[1];
      const id = guest ?? randomBytes(16).toString('base64url');
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(`guest-${id}`)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(secret);
      res.writeHead(200, {
        'content-type': 'text/plain',
        'cache-control': 'no-store',
        ...(guest ? {} : { 'set-cookie': `rs-guest=${id}; Path=/; HttpOnly; SameSite=Strict` }),
      });
      res.end(token);
      return true;
    },
  };
}
