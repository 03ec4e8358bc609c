// `npm run screenshots`: drives the demo in headless Chromium and writes a PNG of each overlay state to screenshots/.
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
} finally {
  await browser.close();
  server.kill();
}
console.log(`wrote ${shots.length} screenshots:\n${shots.join('\n')}`);
