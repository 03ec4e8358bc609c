// WebKit for the browser suite: Debian's MiniBrowser driven by WebKitWebDriver (classic WebDriver) under a
// private Xvfb display, since MiniBrowser has no headless mode. Both are started here and stopped on exit.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { miniBrowserPath, webkitDriverPath, xvfbPath } from './engines.mjs';

const children = [];
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A display number nobody holds (an X lock file marks a taken one). */
function freeDisplay() {
  for (let n = 90 + (process.pid % 100); n < 400; n++) if (!existsSync(`/tmp/.X${n}-lock`)) return n;
  throw new Error('no free X display number');
}

async function waitFor(check, what, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out starting ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts Xvfb and WebKitWebDriver; returns the options for @web/test-runner-webdriver's launcher. */
export async function startWebKit() {
  let display = process.env.DISPLAY;
  if (!display) {
    const n = freeDisplay();
    const xvfb = spawn(xvfbPath, [`:${n}`, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    children.push(xvfb);
    display = `:${n}`;
    await waitFor(() => existsSync(`/tmp/.X11-unix/X${n}`), 'Xvfb');
  }
  const port = await freePort();
  const driver = spawn(webkitDriverPath, [`--port=${port}`, '--host=127.0.0.1'], {
    stdio: 'ignore',
    env: { ...process.env, DISPLAY: display },
  });
  children.push(driver);
  await waitFor(
    () =>
      fetch(`http://127.0.0.1:${port}/status`).then(
        (r) => r.ok,
        () => false,
      ),
    'WebKitWebDriver',
  );
  return {
    hostname: '127.0.0.1',
    port,
    path: '/',
    automationProtocol: 'webdriver',
    logLevel: 'error',
    capabilities: {
      browserName: 'MiniBrowser',
      // webdriverio 9 asks for WebDriver BiDi by default, which WebKitWebDriver does not offer.
      'wdio:enforceWebDriverClassic': true,
      'webkitgtk:browserOptions': { binary: miniBrowserPath, args: ['--automation'] },
    },
  };
}
