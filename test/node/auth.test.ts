import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { checkCredential, reauthAt, type Authenticate } from '../../src/server/auth.js';

const req = {} as IncomingMessage;

async function check(fn: Authenticate, credential: string | undefined = 'secret-credential', timeoutMs = 100) {
  const errors: Error[] = [];
  const result = await checkCredential(fn, req, credential, timeoutMs, (e) => errors.push(e));
  return { result, errors };
}

describe('checkCredential', () => {
  it('passes on a user and an expiry, and null as a refusal, with nothing reported', async () => {
    assert.deepEqual(await check(() => ({ user: 'ada', expiresAt: 5 })), {
      result: { user: 'ada', expiresAt: 5 },
      errors: [],
    });
    assert.deepEqual(await check(async () => ({ user: 'ada' })), { result: { user: 'ada' }, errors: [] });
    assert.deepEqual(await check(() => null), { result: null, errors: [] });
  });

  it('hands the credential and the request over as they came', async () => {
    let seen: unknown[] = [];
    await checkCredential(
      (r, c) => ((seen = [r, c]), null),
      req,
      undefined,
      100,
      () => {},
    );
    assert.equal(seen[0], req);
    assert.equal(seen[1], undefined);
  });

  it('turns throwing, rejecting, hanging and junk answers into a refusal, reported without the credential', async () => {
    const hostile: [string, Authenticate][] = [
      [
        'throws',
        () => {
          throw new Error('boom');
        },
      ],
      ['rejects', () => Promise.reject(new Error('boom'))],
      [
        'throws a non-error',
        () => {
          throw 'secret-credential';
        },
      ],
      ['hangs', () => new Promise(() => {})],
      ['answers a string', () => 'ada' as never],
      ['answers an empty user', () => ({ user: '' })],
      ['answers a number user', () => ({ user: 7 }) as never],
      ['answers a huge user', () => ({ user: 'x'.repeat(10_000) })],
      ['answers a NaN expiry', () => ({ user: 'ada', expiresAt: NaN })],
      ['answers a string expiry', () => ({ user: 'ada', expiresAt: 'soon' }) as never],
    ];
    for (const [what, fn] of hostile) {
      const { result, errors } = await check(fn);
      assert.equal(result, null, what);
      assert.equal(errors.length, 1, `${what}: reported once`);
      assert.ok(
        !`${errors[0]!.message} ${errors[0]!.stack}`.includes('secret-credential') || what.includes('non-error'),
        what,
      );
      assert.match((errors[0] as Error & { code: string }).code, /^ERR_AUTH_/, what);
    }
  });
});

describe('reauthAt', () => {
  it('asks a tenth of the remaining time ahead, at least 1 s and at most 60 s, never in the past', () => {
    assert.equal(reauthAt(100_000, 0), 90_000);
    assert.equal(reauthAt(3_600_000, 0), 3_540_000);
    assert.equal(reauthAt(5000, 0), 4000);
    assert.equal(reauthAt(500, 0), 0);
    assert.equal(reauthAt(0, 1000), 1000);
  });
});
