// `npm run screenshots`: drives the demo in headless Chromium and writes a PNG of each overlay state to screenshots/,
// at 1000 px (light, dark), at 360 px (light, dark), in forced colours, and with a long message.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './chromium.mjs';

const out = 'screenshots';
mkdirSync(out, { recursive: true });
const port = 8600 + Math.floor(Math.random() * 300);
const server = spawn(process.execPath, ['demo/server.mjs', '--port', String(port)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise((resolve, reject) => {
  server.stdout.on('data', (d) => String(d).includes('demo:') && resolve());
  server.on('exit', (code) => reject(new Error(`demo server exited (${code})`)));
});

const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
const shots = [];
try {
  for (const scheme of ['light', 'dark']) {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 }, colorScheme: scheme });
    const el = 'reconnecting-session';
    const status = (s) =>
      page.waitForFunction((s) => document.querySelector('reconnecting-session').status === s, s, { timeout: 15000 });
    const view = (v) =>
      page.waitForFunction(
        (v) => document.querySelector('reconnecting-session').shadowRoot.querySelector(`[part=overlay].${v}`),
        v,
        { timeout: 15000 },
      );
    const shot = async (name) => {
      const file = `${out}/${scheme}-${name}.png`;
      await page.waitForTimeout(250);
      await page.screenshot({ path: file });
      shots.push(file);
    };
    const control = (action) => page.evaluate((a) => fetch(`/control/${a}`, { method: 'POST' }), action);
    await page.goto(`http://127.0.0.1:${port}/`);
    await status('open');
    await page.fill('#text', 'hello from the demo');
    await page.click('#form button');
    await shot('open');

    await page.evaluate(() => document.querySelector('reconnecting-session').setAttribute('delays', '8000'));
    await control('stop');
    await view('reconnecting');
    await page.fill('#text', 'typed while disconnected');
    await page.click('#form button');
    await shot('reconnecting');

    await page.evaluate(() => document.querySelector('reconnecting-session').setAttribute('overlay', 'modal'));
    await shot('modal');
    await page.evaluate(() => document.querySelector('reconnecting-session').setAttribute('overlay', 'toast'));

    await page.click('#offline');
    await page.evaluate(() => document.querySelector('reconnecting-session').retryNow());
    await view('offline');
    await shot('offline');
    await page.click('#online');

    await page.evaluate(() => {
      const e = document.querySelector('reconnecting-session');
      e.setAttribute('delays', '50');
      e.setAttribute('max-attempts', '1');
      e.retryNow();
    });
    await view('failed');
    await shot('failed');

    await page.check('#custom');
    await shot('failed-custom');
    await page.uncheck('#custom');

    await control('start');
    await page.click(`${el} [part=retry-button]`);
    await view('reconnected');
    await shot('reconnected');

    await page.evaluate(() => {
      const e = document.querySelector('reconnecting-session');
      e.setAttribute('max-attempts', '6');
      e.setAttribute('delays', '1000');
    });
    await status('open');
    await control('restart');
    await view('expired');
    await shot('expired');

    await page.click(`${el} [part=dismiss-button]`);
    await status('open');
    await page.evaluate(() => document.querySelector('reconnecting-session').setAttribute('reconnect', 'off'));
    await control('drop');
    await view('disconnected');
    await shot('disconnected');
    await page.close();
  }

  // A phone-sized screen (light and dark), forced colours, and a long message: where layouts break.
  const LONG =
    'The service is being upgraded to a new version. Your changes are kept on this device and will be sent as soon as the connection is back; there is no need to reload or to type anything again.';
  const variants = [
    { name: '360-light', viewport: { width: 360, height: 740 }, colorScheme: 'light' },
    { name: '360-dark', viewport: { width: 360, height: 740 }, colorScheme: 'dark' },
    { name: 'forced-colors', viewport: { width: 1000, height: 700 }, colorScheme: 'light', forcedColors: 'active' },
  ];
  for (const { name, ...options } of variants) {
    const page = await browser.newPage(options);
    const attr = (a, v) =>
      page.evaluate(([a, v]) => document.querySelector('reconnecting-session').setAttribute(a, v), [a, v]);
    const view = (v) =>
      page.waitForFunction(
        (v) => document.querySelector('reconnecting-session').shadowRoot.querySelector(`[part=overlay].${v}`),
        v,
        { timeout: 15000 },
      );
    const shot = async (state) => {
      const file = `${out}/${name}-${state}.png`;
      await page.waitForTimeout(250);
      await page.screenshot({ path: file });
      shots.push(file);
    };
    const control = (action) => page.evaluate((a) => fetch(`/control/${a}`, { method: 'POST' }), action);
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.querySelector('reconnecting-session').status === 'open');
    await attr('delays', '30000');
    await attr('grace-period', '0');
    await control('stop');
    await view('reconnecting');
    await shot('reconnecting');
    await attr('position', 'top');
    await shot('reconnecting-top');
    await attr('position', 'bottom-right');
    await attr('overlay', 'modal');
    await shot('modal');
    await attr('overlay', 'toast');
    await attr('failed-message', LONG);
    await attr('reconnect', 'prompt');
    await page.evaluate(() => document.querySelector('reconnecting-session').retryNow());
    await view('failed');
    await shot('failed-long');
    await control('start');
    await page.close();
  }
} finally {
  await browser.close();
  server.kill();
}
console.log(`wrote ${shots.length} screenshots:\n${shots.join('\n')}`);
