// The demo's guest tokens (demo/tokens.mjs, demo/auth.js): short-lived JWTs refreshed over the open socket.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startDemo, type Demo } from './demo-support.js';

describe("the demo's guest tokens", () => {
  let demo: Demo;
  let origin: string;
  let browser: Browser;

  // Three-second tokens: the server asks for a fresh one a second before each expires.
  before(async () => {
    demo = await startDemo(['--token-ttl', '3']);
    ({ origin, browser } = demo);
  });
  after(() => demo?.stop());

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
