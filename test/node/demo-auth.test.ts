// The demo's guest tokens (demo/tokens.mjs, demo/auth.js): short-lived JWTs refreshed over the open socket.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

describe("the demo's guest tokens", () => {
  let server: ChildProcess;
  let origin: string;
  let browser: Browser;

  before(async () => {
    // Three-second tokens: the server asks for a fresh one a second before each expires.
    const args = ['demo/server.mjs', '--port', '0', '--token-ttl', '3'];
    server = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    origin = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (d) => {
        const m = /demo: (http:\/\/\S+:\d+)\//.exec(String(d));
        if (m) resolve(m[1]!);
      });
      server.on('exit', (code) => reject(new Error(`demo server exited (${code})`)));
    });
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
  });
  after(async () => {
    await browser?.close();
    server?.kill();
  });

  it('refreshes the token over the open socket, with the same session and nothing lost', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => document.querySelector('reconnecting-session')!.status === 'open');
      const sid = await page.evaluate(() => document.querySelector('reconnecting-session')!.sessionId);
      const lines = () => page.evaluate(() => [...document.querySelectorAll('#log li')].map((li) => li.textContent!));
      const refreshes = (n: number) =>
        page.waitForFunction(
          (n) =>
            [...document.querySelectorAll('#log li')].filter((li) => li.textContent!.includes('sign-in refreshed'))
              .length >= n,
          n,
          { timeout: 20000 },
        );
      await refreshes(1);
      await page.fill('#text', 'across a refresh');
      await page.click('#form button');
      await refreshes(3);
      await page.waitForFunction(
        () => document.querySelector('#log')!.textContent!.includes(': {"chat":"across a refresh"'),
        null,
        { timeout: 10000 },
      );
      assert.equal(await page.evaluate(() => document.querySelector('reconnecting-session')!.sessionId), sid);
      const log = await lines();
      assert.deepEqual(
        log.filter((l) => /→ (reconnecting|failed)|error/.test(l)),
        [],
        'no reconnect, failure or error',
      );
      assert.equal(log.filter((l) => l.includes('new session')).length, 1, 'the first session only');
      assert.equal(log.filter((l) => l.includes('signed in for this attempt')).length, 1, 'one fetch to connect');
      // A JWT's header, base64url-encoded, starts with eyJ: the log names the guest, never shows the token.
      assert.doesNotMatch(log.join('\n'), /eyJ/);
    } finally {
      await page.close();
    }
  });
});
