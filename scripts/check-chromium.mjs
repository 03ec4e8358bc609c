// Runs before the browser tests: finds Chromium, installs Debian's package when it can, or says how.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { chromiumPath } from './chromium.mjs';

const howTo =
  'Install it with `sudo apt-get install -y chromium` (Debian/Ubuntu) or set CHROME_PATH to a Chrome/Chromium binary.';

// The path the tests will launch, not any candidate: a stale CHROME_PATH must fail here, in one line.
if (process.env.CHROME_PATH && !existsSync(chromiumPath)) {
  console.error(`CHROME_PATH=${chromiumPath} does not exist. ${howTo}`);
  process.exit(1);
}

if (!existsSync(chromiumPath)) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  let hasApt = false;
  try {
    execSync('command -v apt-get', { stdio: 'ignore', shell: '/bin/sh' });
    hasApt = true;
  } catch {}
  if (isRoot && hasApt) {
    console.log("Chromium is missing: installing Debian's chromium package (apt-get install -y chromium)...");
    try {
      execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
        stdio: 'inherit',
        shell: '/bin/sh',
      });
    } catch {
      console.error('apt-get could not install chromium (see above).');
    }
  }
  if (!existsSync(chromiumPath)) {
    console.error(`Chromium not found at ${chromiumPath}. ${howTo}`);
    process.exit(1);
  }
}
