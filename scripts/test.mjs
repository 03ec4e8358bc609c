// Runs every suite (node, then the browser suite in each engine) and ends with one line: "N passed, N failed".
// `node scripts/test.mjs browser --engine firefox` runs one engine (ENGINES=firefox,webkit works too).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { selectedEngines } from './engines.mjs';

const results = '.test-results';
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const only = process.argv[2];

const totals = { passed: 0, failed: 0, skipped: 0 };
let exitCode = 0;

// A test that leaves a server or timer behind keeps its process alive for ever; CI stops at 90 minutes, so a
// suite that runs past this is killed and counted as a failure rather than hanging the whole run.
const SUITE_TIMEOUT_MS = Number(process.env.SUITE_TIMEOUT_MS ?? 30 * 60 * 1000);

function run(cmd, args) {
  const r = spawnSync(cmd, args, {
    stdio: 'inherit',
    env: process.env,
    timeout: SUITE_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (r.error?.code === 'ETIMEDOUT') console.error(`${cmd} ${args.at(-1)}: killed after ${SUITE_TIMEOUT_MS} ms`);
  if (r.status !== 0) exitCode = 1;
  return r.status;
}

if (!only || only === 'node') {
  const files = readdirSync('test/node')
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `test/node/${f}`);
  const tap = `${results}/node.tap`;
  const status = run(process.execPath, [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ]);
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const num = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  totals.passed += num('pass');
  totals.failed += num('fail') + num('cancelled');
  totals.skipped += num('skipped') + num('todo');
  if (status !== 0 && num('fail') + num('cancelled') === 0) totals.failed++;
}

if (!only || only === 'browser') {
  // Each engine in its own run: WebKit needs one page at a time and a display, and a crash in one engine must
  // not hide the others' results.
  for (const engine of selectedEngines(process.argv.slice(3))) {
    console.log(`\n== browser suite in ${engine} ==`);
    const started = Date.now();
    process.env.RS_ENGINE = engine;
    const status = run(process.execPath, ['node_modules/@web/test-runner/dist/bin.js']);
    const file = `${results}/browser-${engine}.json`;
    const seconds = Math.round((Date.now() - started) / 1000);
    if (existsSync(file)) {
      const b = JSON.parse(readFileSync(file, 'utf8'));
      console.log(`${engine}: ${b.passed} passed, ${b.failed} failed, ${b.skipped} skipped in ${seconds} s`);
      totals.passed += b.passed;
      totals.failed += b.failed;
      totals.skipped += b.skipped;
      if (status !== 0 && b.failed === 0) totals.failed++;
    } else {
      console.log(`${engine}: no results (the run failed to start) after ${seconds} s`);
      totals.failed++;
    }
  }
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(exitCode || (totals.failed > 0 ? 1 : 0));
