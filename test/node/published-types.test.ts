// What dist/*.d.ts publishes: internals stripped (stripInternal), and types that still compile without
// skipLibCheck, which a class declaring `implements X` while X's members are @internal would not.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const declarations = () =>
  readdirSync('dist', { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.d.ts'))
    .map((f) => join('dist', f));

describe('published types', () => {
  it('carry no @internal member', () => {
    assert.ok(existsSync('dist/server/session.d.ts'), 'dist/ is missing: run `npm run build`');
    const leaking = declarations().filter((f) => readFileSync(f, 'utf8').includes('@internal'));
    assert.deepEqual(leaking, []);
  });

  it('compile on their own, without skipLibCheck', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-types-'));
    const entry = join(dir, 'app.ts');
    const imports = ['index', 'reconnecting-session', 'client/index', 'server/index'];
    writeFileSync(
      entry,
      imports.map((m, i) => `import * as m${i} from '${resolve('dist', m)}.js';`).join('\n') +
        `\nconsole.log(${imports.map((_, i) => `m${i}`).join(', ')});\n`,
    );
    const tsc = resolve('node_modules/typescript/bin/tsc');
    const options = ['--strict', '--noEmit', '--module', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom'];
    const types = ['--typeRoots', resolve('node_modules/@types'), '--types', 'node'];
    await run(process.execPath, [tsc, ...options, ...types, entry], { timeout: 120_000 }).catch(
      (error: { stdout: string; stderr: string }) => assert.fail(`tsc: ${error.stdout}${error.stderr}`),
    );
  });
});
