import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startDemo, type Demo } from './demo-support.js';

/** WCAG contrast ratio of two rgb() colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = c
      .match(/\d+(\.\d+)?/g)!
      .slice(0, 3)
      .map(Number)
      .map((v) => v / 255);
    const lin = (v: number) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(bl!);
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('the demo page', () => {
  let demo: Demo;
  let origin: string;
  let browser: Browser;

  before(async () => {
    demo = await startDemo();
    ({ origin, browser } = demo);
  });
  after(() => demo?.stop());

  async function open(colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const page = await browser.newPage({ colorScheme });
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => document.querySelector('reconnecting-session')!.status === 'open');
    return page;
  }
  const overlayView = (page: Page, view: string) =>
    page.waitForFunction(
      (v) => document.querySelector('reconnecting-session')!.shadowRoot!.querySelector(`[part~=overlay].${v}`),
      view,
      { timeout: 10000 },
    );

  it('"Go offline" while connected shows the offline notice', async () => {
    const page = await open();
    try {
      await page.click('#offline');
      await overlayView(page, 'offline');
      await page.click('#online');
      await page.waitForFunction(() => document.querySelector('reconnecting-session')!.status === 'open');
    } finally {
      await page.close();
    }
  });

  it("shows the server's figures from /metrics, and they move when the connection is cut", async () => {
    const page = await open();
    const text = (id: string) => page.locator(id).textContent();
    const shows = (id: string, value: string) =>
      page.waitForFunction(([i, v]) => document.querySelector(i!)!.textContent === v, [id, value], { timeout: 5000 });
    try {
      // Other tests' pages share the demo server: count from what it shows now.
      await page.waitForFunction(() => document.getElementById('resumed')!.textContent !== '–');
      const held = Number(await text('#held'));
      const resumed = Number(await text('#resumed'));
      assert.ok(held >= 1 && Number(await text('#attached')) >= 1, 'this page’s session is held and attached');
      // Stopping the WebSocket listener keeps the session: still held, no longer attached.
      await page.click('#stop');
      await page.waitForFunction(() => document.querySelector('reconnecting-session')!.status === 'reconnecting');
      await shows('#attached', String(Number(await text('#attached')) - 1));
      assert.equal(await text('#held'), String(held));
      await page.click('#start');
      await shows('#resumed', String(resumed + 1));
      assert.equal(await text('#failed'), '0');
    } finally {
      await page.close();
    }
  });

  it('/?share: three tabs hold one session, and it survives closing the tab that holds the socket', async () => {
    const context = await browser.newContext();
    try {
      const tabs: Page[] = [];
      for (let i = 0; i < 3; i++) {
        const page = await context.newPage();
        await page.goto(`${origin}/?share`);
        await page.waitForFunction(() => document.querySelector('reconnecting-session')!.status === 'open');
        tabs.push(page);
      }
      const sid = () =>
        Promise.all(tabs.map((t) => t.evaluate(() => document.querySelector('reconnecting-session')!.sessionId)));
      const sids = await sid();
      assert.equal(new Set(sids).size, 1, 'one session');
      assert.ok(sids[0]);
      // Whichever tab holds the socket, closing tabs one by one leaves the session with the last.
      await tabs.shift()!.close();
      await tabs.shift()!.close();
      await tabs[0]!.waitForFunction(() => document.querySelector('reconnecting-session')!.status === 'open');
      await tabs[0]!.evaluate(() => document.querySelector('reconnecting-session')!.send({ chat: 'still here' }));
      await tabs[0]!.waitForFunction(() => document.querySelector('reconnecting-session')!.queued === 0, undefined, {
        timeout: 10000,
      });
      assert.deepEqual(await sid(), [sids[0]]);
    } finally {
      await context.close();
    }
  });

  it('reaches failed and disconnected at once with the reconnect control', async () => {
    const page = await open();
    try {
      await page.selectOption('#reconnect', 'prompt');
      await page.click('#drop');
      await overlayView(page, 'failed');
      await page.click('reconnecting-session >> [part~=retry-button]');
      await page.waitForFunction(() => document.querySelector('reconnecting-session')!.status === 'open');
      await page.selectOption('#reconnect', 'off');
      await page.click('#drop');
      await overlayView(page, 'disconnected');
    } finally {
      await page.close();
    }
  });

  it('has a keyboard-scrollable, labelled event log whose numbers are not clipped', async () => {
    const page = await open();
    try {
      const log = page.locator('#log');
      assert.equal(await log.getAttribute('tabindex'), '0');
      assert.equal(
        await page.evaluate(() => document.getElementById('log')!.getAttribute('aria-labelledby')),
        'log-title',
      );
      assert.equal(await page.locator('#log-title').textContent(), 'Event log');
      // Room for the marker of item 200 ("200. ") inside the list's padding, which overflow clips.
      const fits = await page.evaluate(() => {
        const ol = document.getElementById('log')!;
        const style = getComputedStyle(ol);
        const ctx = document.createElement('canvas').getContext('2d')!;
        ctx.font = `${style.fontSize} ${style.fontFamily}`;
        return parseFloat(style.paddingLeft) >= ctx.measureText('200. ').width;
      });
      assert.equal(fits, true);
    } finally {
      await page.close();
    }
  });

  it('shows the trouble status with at least 4.5:1 contrast in dark mode', async () => {
    const page = await open('dark');
    try {
      await page.evaluate(() => document.querySelector('reconnecting-session')!.setAttribute('reconnect', 'prompt'));
      await page.click('#drop');
      await page.waitForFunction(() => document.querySelector('reconnecting-session')!.status === 'failed');
      const [fg, bg] = await page.evaluate(() => [
        getComputedStyle(document.getElementById('status')!).color,
        getComputedStyle(document.querySelector('.panel')!).backgroundColor,
      ]);
      assert.ok(contrast(fg!, bg!) >= 4.5, `${fg} on ${bg}: ${contrast(fg!, bg!).toFixed(2)}:1`);
    } finally {
      await page.close();
    }
  });
});
