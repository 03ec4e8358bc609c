/** The demo (demo/server.mjs, built by `npm test`'s pretest) on a free port, and Chromium to open its page. */
import { spawn } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

export interface Demo {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  origin: string;
  browser: Browser;
  stop(): Promise<void>;
}

export async function startDemo(args: string[] = []): Promise<Demo> {
  const server = spawn(process.execPath, ['demo/server.mjs', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const origin = await new Promise<string>((resolve, reject) => {
    server.stdout.on('data', (d) => {
      const m = /demo: (http:\/\/\S+:\d+)\//.exec(String(d));
      if (m) resolve(m[1]!);
    });
    server.on('exit', (code) => reject(new Error(`demo server exited (${code})`)));
  });
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
  return {
    origin,
    browser,
    stop: async () => {
      await browser.close();
      server.kill();
    },
  };
}
