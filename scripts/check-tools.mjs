// Runs before the tests: finds Chromium, redis-server and nginx, installs Debian's packages when it can, or says how.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { chromiumPath } from './chromium.mjs';
import { REQUIREMENTS, selectedEngines } from './engines.mjs';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let hasApt = false;
try {
  execSync('command -v apt-get', { stdio: 'ignore', shell: '/bin/sh' });
  hasApt = true;
} catch {}
let updated = false;

/** Installs a Debian package when `path` is missing and this is root with apt; exits in one line otherwise. */
function ensure({ name, pkg, path, howTo }) {
  if (existsSync(path)) return;
  if (isRoot && hasApt) {
    console.log(`${name} is missing: installing Debian's ${pkg} package (apt-get install -y ${pkg})...`);
    try {
      if (!updated) execSync('apt-get update -qq', { stdio: 'inherit', shell: '/bin/sh' });
      updated = true;
      execSync(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`, { stdio: 'inherit', shell: '/bin/sh' });
    } catch {
      console.error(`apt-get could not install ${pkg} (see above).`);
    }
  }
  if (!existsSync(path)) {
    console.error(`${name} not found at ${path}. ${howTo}`);
    process.exit(1);
  }
}

const chromiumHowTo =
  'Install it with `sudo apt-get install -y chromium` (Debian/Ubuntu) or set CHROME_PATH to a Chrome/Chromium binary.';
// The path the tests will launch, not any candidate: a stale CHROME_PATH must fail here, in one line.
if (process.env.CHROME_PATH && !existsSync(chromiumPath)) {
  console.error(`CHROME_PATH=${chromiumPath} does not exist. ${chromiumHowTo}`);
  process.exit(1);
}
ensure({ name: 'Chromium', pkg: 'chromium', path: chromiumPath, howTo: chromiumHowTo });
// Firefox and WebKit, for the engines this run will use (ENGINES=chromium skips them).
for (const engine of selectedEngines([])) {
  if (engine === 'chromium') continue;
  for (const r of REQUIREMENTS[engine]) {
    ensure({
      ...r,
      howTo: `The ${engine} browser tests need it: install it with \`sudo apt-get install -y ${r.pkg}\`, set ${r.env} to its path, or run other engines only (ENGINES=chromium npm test).`,
    });
  }
}

const redisPath = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
ensure({
  name: 'redis-server',
  pkg: 'redis-server',
  path: redisPath,
  howTo:
    'The Redis store tests start their own redis-server: install it with `sudo apt-get install -y redis-server` or set REDIS_SERVER to its path.',
});

// test/node/nginx.test.ts runs the configuration from docs/operations.md in Debian's nginx.
ensure({
  name: 'nginx',
  pkg: 'nginx',
  path: process.env.NGINX ?? '/usr/sbin/nginx',
  howTo: 'The proxy test runs its own nginx: install it with `sudo apt-get install -y nginx` or set NGINX to its path.',
});
