import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startDemo, type Demo } from './demo-support.js';

// A real page reload in Chromium against the demo (built by `npm test`'s pretest): with `persist`,
// the reloaded page resumes the same session and delivers what was queued before the reload.
describe('persist across a real page reload', () => {
  let demo: Demo;
  let base = '';
  let browser: Browser;

  before(async () => {
    demo = await startDemo();
    base = `${demo.origin}/`;
    browser = demo.browser;
  });
  after(() => demo?.stop());

  it('resumes the session and sends the queue after reload', async () => {
    const page = await browser.newPage();
    const control = (action: string) => page.evaluate((a) => fetch(`/control/${a}`, { method: 'POST' }), action);
    const status = (s: string) =>
      page.waitForFunction((s) => document.querySelector('reconnecting-session')?.status === s, s, { timeout: 10000 });
    await page.goto(base);
    await status('open');
    const sid = await page.evaluate(() => document.querySelector('reconnecting-session')!.sessionId);
    assert.match(sid ?? '', /^[A-Za-z0-9_-]{22}$/);

    await control('stop');
    await status('reconnecting');
    await page.evaluate(() => {
      const el = document.querySelector('reconnecting-session')!;
      el.send({ chat: 'queued before reload 1' });
      el.send({ chat: 'queued before reload 2' });
    });
    await page.reload();
    // Token and queue were only in sessionStorage, never in the URL or an attribute.
    assert.equal(new URL(page.url()).search, '');
    const resumed = page.evaluate(
      () =>
        new Promise<{ sessionId: string; replayedToServer: number }>((resolve) =>
          document.querySelector('reconnecting-session')!.addEventListener('session-resumed', (e) => resolve(e.detail)),
        ),
    );
    const chats = page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const got: string[] = [];
          document.querySelector('reconnecting-session')!.addEventListener('session-message', (e) => {
            const d = e.detail.data as { chat?: string };
            if (d?.chat) got.push(d.chat);
            if (got.length === 2) resolve(got);
          });
        }),
    );
    await control('start');
    const detail = await resumed;
    assert.equal(detail.sessionId, sid);
    assert.equal(detail.replayedToServer, 2);
    assert.deepEqual(await chats, ['queued before reload 1', 'queued before reload 2']);
    const attrs = await page.evaluate(() => document.querySelector('reconnecting-session')!.outerHTML);
    assert.doesNotMatch(attrs, /token/i);
  });
});
