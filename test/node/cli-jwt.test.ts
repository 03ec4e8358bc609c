import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { RawClient, runNode, until } from './support.js';

const runCli = (args: string[]) => runNode(['--import', 'tsx', 'src/server/cli.ts', ...args]);
const dir = mkdtempSync(join(tmpdir(), 'rs-jwt-'));
const file = (name: string, content: string) => {
  writeFileSync(join(dir, name), content);
  return join(dir, name);
};
const secret = 'cli-test-secret-0123456789abcdef-xyz';
const sign = (claims: Record<string, unknown>, key = secret, alg = 'HS256') =>
  new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(key));
const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;

describe('reconnecting-session-server --jwt-secret-file', () => {
  for (const [what, path, message] of [
    [
      'a missing file',
      join(dir, 'nope'),
      /^reconnecting-session-server: --jwt-secret-file: cannot read ".*nope": no such file$/,
    ],
    ['an empty file', file('empty', ''), /--jwt-secret-file: ".*empty" is empty$/],
    ['a file with only a line end', file('newline', '\n'), /--jwt-secret-file: ".*newline" is empty$/],
    ['a folder', dir, /--jwt-secret-file: cannot read ".*": EISDIR/],
    [
      'a short secret',
      file('short', 'hunter2\n'),
      /--jwt-secret-file: the HS256 secret must be at least 32 bytes .*not 7$/,
    ],
  ] as const) {
    it(`refuses ${what} in one line, before listening`, async () => {
      const cli = runCli(['--port', '0', '--jwt-secret-file', path]);
      assert.equal(await cli.exited, 2);
      assert.match(cli.errors().split('\n')[0]!, message);
      assert.doesNotMatch(cli.errors(), /hunter2/);
      assert.doesNotMatch(cli.output(), /listening/);
    });
  }

  describe('with a secret', () => {
    let cli: ReturnType<typeof runCli>;
    let url: string;
    before(async () => {
      // The line end `echo secret > file` leaves is not part of the secret.
      cli = runCli(['--port', '0', '--jwt-secret-file', file('secret', `${secret}\n`)]);
      await until(() => /ws:\/\/127\.0\.0\.1:\d+\//.test(cli.output()), `URL: ${cli.errors()}`, 15000);
      url = /ws:\/\/127\.0\.0\.1:\d+\//.exec(cli.output())![0];
    });
    after(async () => {
      cli.child.kill('SIGTERM');
      await cli.exited;
    });

    const hello = async (auth?: string) => {
      const c = new RawClient(url);
      await c.opened();
      c.send({ t: 'hello', v: 1, ack: 0, ...(auth === undefined ? {} : { auth }) });
      return c;
    };

    it('says so when it starts, and welcomes a valid token', async () => {
      assert.match(cli.output(), /listening on ws:\/\/\S+, JWT sign-in/);
      const c = await hello(await sign({ sub: 'ada', exp: inSeconds(60) }));
      await c.next('welcome');
      c.send({ t: 'msg', seq: 1, d: 'hi' });
      assert.deepEqual((await c.next('msg')).d, { echo: 'hi' });
      c.close();
    });

    it('closes 4401 on no token, alg none, HS512, a wrong key and an expired token', async () => {
      const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"ada"}').toString('base64url')}.`;
      const refused = [
        undefined,
        none,
        await sign({ sub: 'ada', exp: inSeconds(60) }, secret, 'HS512'),
        await sign({ sub: 'ada', exp: inSeconds(60) }, 'some-other-secret-of-enough-length!!'),
        await sign({ sub: 'ada', exp: inSeconds(-5) }),
      ];
      for (const [i, auth] of refused.entries()) {
        const c = await hello(auth);
        assert.equal((await c.closed).code, 4401, `token ${i}`);
        assert.equal(c.frames.length, 0, `token ${i}: no welcome`);
      }
    });

    it('asks for a fresh token ahead of exp, keeps the socket on one, and closes 4401 on a forged one', async () => {
      const c = await hello(await sign({ sub: 'ada', exp: inSeconds(3) }));
      await c.next('welcome');
      await c.next('reauth', 5000);
      c.send({ t: 'auth', auth: await sign({ sub: 'ada', exp: inSeconds(3) }) });
      await c.next('reauth', 5000);
      c.send({ t: 'msg', seq: 1, d: 'still here' });
      assert.deepEqual((await c.next('msg')).d, { echo: 'still here' });
      c.send({ t: 'auth', auth: await sign({ sub: 'ada', exp: inSeconds(60) }, secret, 'HS384') });
      assert.equal((await c.closed).code, 4401);
    });

    it('never prints the secret', () => {
      assert.doesNotMatch(cli.output() + cli.errors(), new RegExp(secret));
    });
  });
});
