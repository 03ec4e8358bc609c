// The three browser engines the browser suite runs in, with Debian's packages only (no browser downloads).
import { chromiumPath } from './chromium.mjs';

export const ENGINES = ['chromium', 'firefox', 'webkit'];

export const firefoxPath = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
export const webkitDriverPath = process.env.WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver';
export const miniBrowserPath = process.env.MINIBROWSER_PATH || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const xvfbPath = process.env.XVFB_PATH || '/usr/bin/Xvfb';

/** What each engine needs on the machine: the Debian package and the file that proves it is there. */
export const REQUIREMENTS = {
  chromium: [{ name: 'Chromium', pkg: 'chromium', path: chromiumPath, env: 'CHROME_PATH' }],
  firefox: [{ name: 'Firefox ESR', pkg: 'firefox-esr', path: firefoxPath, env: 'FIREFOX_PATH' }],
  webkit: [
    { name: 'WebKitWebDriver', pkg: 'webkit2gtk-driver', path: webkitDriverPath, env: 'WEBKIT_DRIVER' },
    { name: 'MiniBrowser', pkg: 'webkit2gtk-driver', path: miniBrowserPath, env: 'MINIBROWSER_PATH' },
    { name: 'Xvfb', pkg: 'xvfb', path: xvfbPath, env: 'XVFB_PATH' },
  ],
};

/** `--engine firefox` or `ENGINES=firefox,webkit`: the engines to run; all three by default. */
export function selectedEngines(argv = process.argv.slice(2), env = process.env) {
  const i = argv.indexOf('--engine');
  const list = i >= 0 ? argv[i + 1] : env.ENGINES;
  if (!list) return ENGINES;
  const picked = list.split(',').map((e) => e.trim());
  for (const e of picked) {
    if (!ENGINES.includes(e)) {
      console.error(`unknown engine ${JSON.stringify(e)}: choose from ${ENGINES.join(', ')}`);
      process.exit(2);
    }
  }
  return picked;
}
