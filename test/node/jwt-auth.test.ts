import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SignJWT } from 'jose';
import { jwtAuthenticate, MAX_JWT_LENGTH } from '../../src/server/jwt-auth.js';

const secret = 'a-test-secret-that-is-long-enough-for-hs256';
const req = {} as IncomingMessage;
const now = () => Math.floor(Date.now() / 1000);
const b64 = (x: string | Buffer) => Buffer.from(x).toString('base64url');

const signed = (claims: Record<string, unknown>, alg = 'HS256', key: string = secret) =>
  new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(key));

/** A token put together by hand, as an attacker would: any header, any payload, any signature. */
function forged(header: object, payload: object, signature: (input: string) => string = () => '') {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  return `${input}.${signature(input)}`;
}
const hmac = (alg: 'sha256' | 'sha512', key: string) => (input: string) =>
  createHmac(alg, key).update(input).digest('base64url');

describe('jwtAuthenticate', () => {
  const authenticate = jwtAuthenticate({ secret });

  it('answers sub as the user and exp in milliseconds', async () => {
    const exp = now() + 60;
    assert.deepEqual(await authenticate(req, await signed({ sub: 'ada', exp })), {
      user: 'ada',
      expiresAt: exp * 1000,
    });
    assert.deepEqual(await authenticate(req, await signed({ sub: 'ada' })), { user: 'ada' });
    // The same token forged by hand verifies too, so a refusal below is the forgery's, not the forging's.
    assert.deepEqual(await authenticate(req, forged({ alg: 'HS256' }, { sub: 'ada', exp }, hmac('sha256', secret))), {
      user: 'ada',
      expiresAt: exp * 1000,
    });
  });

  it('refuses every hostile token with null (close 4401), never a throw', async () => {
    const exp = now() + 60;
    const claims = { sub: 'ada', exp };
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cases: [string, string | undefined][] = [
      ['no credential', undefined],
      ['empty', ''],
      ['alg none', forged({ alg: 'none' }, claims)],
      ['alg None', forged({ alg: 'None' }, claims)],
      ['alg none with an HMAC signature', forged({ alg: 'none' }, claims, hmac('sha256', secret))],
      ['no alg', forged({ typ: 'JWT' }, claims, hmac('sha256', secret))],
      ['HS512 with the right secret', await signed(claims, 'HS512')],
      ['HS384 with the right secret', await signed(claims, 'HS384')],
      ['RS256 header, HMAC with the secret (key confusion)', forged({ alg: 'RS256' }, claims, hmac('sha256', secret))],
      [
        'RS256 signed by some RSA key',
        forged({ alg: 'RS256' }, claims, (input) =>
          rsaSign('sha256', Buffer.from(input), privateKey).toString('base64url'),
        ),
      ],
      ['wrong key', await signed(claims, 'HS256', 'another-secret-that-is-also-long-enough!!')],
      [
        'payload changed after signing',
        (await signed(claims)).replace(/\.[^.]+\./, `.${b64(JSON.stringify({ ...claims, sub: 'root' }))}.`),
      ],
      ['signature stripped', (await signed(claims)).replace(/[^.]+$/, '')],
      ['expired', await signed({ sub: 'ada', exp: now() - 10 })],
      ['not yet valid', await signed({ sub: 'ada', exp, nbf: now() + 3600 })],
      ['exp not a number', await signed({ sub: 'ada', exp: 'tomorrow' })],
      ['missing sub', await signed({ exp })],
      ['empty sub', await signed({ sub: '', exp })],
      ['number sub', await signed({ sub: 42, exp })],
      ['object sub', await signed({ sub: { id: 'ada' }, exp })],
      [
        'unknown critical header',
        forged({ alg: 'HS256', crit: ['x-evil'], 'x-evil': 1 }, claims, hmac('sha256', secret)),
      ],
      ['garbage', 'garbage'],
      ['three dots of nothing', '..'],
      ['not base64', '%%%.%%%.%%%'],
      ['header not JSON', `${b64('nope')}.${b64('{}')}.x`],
      ['payload not an object', forged({ alg: 'HS256' }, [] as object, hmac('sha256', secret))],
      ['five parts (an encrypted token)', 'a.b.c.d.e'],
      ['huge token, correctly signed', await signed({ sub: 'ada', exp, pad: 'x'.repeat(MAX_JWT_LENGTH) })],
      ['huge garbage', 'x'.repeat(10 * 1_048_576)],
    ];
    for (const [what, token] of cases) {
      assert.equal(await authenticate(req, token), null, what);
    }
  });

  it('checks the issuer and audience when asked to', async () => {
    const strict = jwtAuthenticate({ secret, issuer: 'https://id.example', audience: 'chat' });
    const exp = now() + 60;
    const good = { sub: 'ada', exp, iss: 'https://id.example', aud: 'chat' };
    assert.equal((await strict(req, await signed(good)))?.user, 'ada');
    assert.equal(await strict(req, await signed({ ...good, iss: 'https://evil.example' })), null);
    assert.equal(await strict(req, await signed({ ...good, aud: 'billing' })), null);
  });

  it('forgives clock difference only when asked to', async () => {
    const late = await signed({ sub: 'ada', exp: now() - 5 });
    assert.equal(await authenticate(req, late), null);
    assert.equal((await jwtAuthenticate({ secret, clockToleranceSec: 30 })(req, late))?.user, 'ada');
  });

  it('refuses a secret shorter than the hash (32 bytes) when it is made', () => {
    assert.throws(() => jwtAuthenticate({ secret: 'short' }), /at least 32 bytes.*not 5/);
    assert.throws(() => jwtAuthenticate({ secret: new Uint8Array(31) }), /at least 32 bytes/);
    assert.doesNotThrow(() => jwtAuthenticate({ secret: new Uint8Array(32) }));
  });
});
