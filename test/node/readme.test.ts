import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

const readme = readFileSync('README.md', 'utf8');

/** The code block after `<!-- example: NAME -->`, exactly as a reader copies it. */
function example(name: string): string {
  const m = new RegExp(`<!-- example: ${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(readme);
  assert.ok(m, `README has no example ${name}`);
  return m[1]!;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const children: ChildProcess[] = [];
function start(command: string[], cwd: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, command, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

async function until(check: () => boolean, what: () => string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The README's `npx reconnecting-session-server …` line, run from this checkout's build on a free port. */
function cliArgs(line: string, port: number): string[] {
  const m = /^npx reconnecting-session-server (.*)$/m.exec(line);
  assert.ok(m, `not a CLI line: ${line}`);
  return [resolve('dist/server/cli.js'), ...m[1]!.trim().split(/\s+/), '--port', String(port)];
}

describe("the README's examples, as written", () => {
  let browser: Browser;
  before(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
  });
  after(async () => {
    await browser?.close();
    for (const c of children) c.kill();
  });

  it('stays short: at most 10 KB, with both set-up lines in its first screen', () => {
    assert.ok(statSync('README.md').size <= 10 * 1024, `${statSync('README.md').size} bytes`);
    const firstScreen = readme.split('\n').slice(0, 30).join('\n');
    assert.match(firstScreen, /npm install && npm start/);
    assert.match(firstScreen, /npm install && npm test/);
  });

  it('links only to docs that exist', () => {
    for (const [, target] of readme.matchAll(/\]\(((?:docs\/)[^)#]+)\)/g)) statSync(target!);
  });

  /** Writes `html` to public/index.html in a fresh folder, runs the README's CLI line there, opens the page. */
  async function servePage(html: string, check: (page: Page) => Promise<void>): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'rs-readme-'));
    mkdirSync(join(dir, 'public'));
    writeFileSync(join(dir, 'public', 'index.html'), html);
    const port = await freePort();
    const cli = start(cliArgs(example('session-server'), port), dir);
    await until(
      () => /listening/.test(cli.output()),
      () => cli.output(),
    );
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(
        () => document.querySelector('reconnecting-session')?.getAttribute('status') === 'open',
      );
      await check(page);
    } finally {
      await page.close();
      cli.child.kill();
    }
  }

  it('session mode: the page in public/ and the CLI line; a message echoes back through the session', async () => {
    await servePage(example('session-page'), async (page) => {
      await page.click('#send');
      await page.waitForFunction(() => document.querySelector('#log li') !== null);
      assert.match((await page.textContent('#log li'))!, /"chat":"hello"/);
    });
  });

  it('the classic-script bundle registers the element too', async () => {
    const html = example('session-page').replace(
      '<script type="module" src="/reconnecting-session.min.js"></script>',
      '<script src="/reconnecting-session.iife.js"></script>',
    );
    assert.notEqual(html, example('session-page'));
    await servePage(html, async (page) => {
      const global = await page.evaluate(
        () => typeof (window as { ReconnectingSession?: unknown }).ReconnectingSession,
      );
      assert.equal(global, 'object');
    });
  });

  it('plain mode: the echo server and the page; the queued ping is echoed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-readme-'));
    mkdirSync(join(dir, 'public'));
    const wsPort = await freePort();
    // The only change: a free port instead of 8080, in both the server and the page.
    writeFileSync(join(dir, 'echo-server.mjs'), example('plain-server').replace('8080', String(wsPort)));
    writeFileSync(join(dir, 'public', 'index.html'), example('plain-page').replace('8080', String(wsPort)));
    // The server imports ws, as a reader's project has it installed.
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(resolve('node_modules/ws'), join(dir, 'node_modules', 'ws'));
    const echo = spawn(process.execPath, ['echo-server.mjs'], { cwd: dir, stdio: 'ignore' });
    children.push(echo);
    const httpPort = await freePort();
    const cli = start(cliArgs('npx reconnecting-session-server --static public', httpPort), dir);
    await until(
      () => /listening/.test(cli.output()),
      () => cli.output(),
    );
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${httpPort}/`);
      await page.waitForFunction(() => document.querySelector('#last')?.textContent === 'echo: ping', undefined, {
        timeout: 15_000,
      });
    } finally {
      await page.close();
      cli.child.kill();
      echo.kill();
    }
  });
});
