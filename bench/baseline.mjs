// Builds the script-tag bundle of another commit (BENCH_BASELINE=<git ref>) into bench/.baseline/,
// so the browser bench can load it beside this build and report before/after from one run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

export function buildBaseline(ref) {
  const dir = resolve('bench/.baseline');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['archive', ref, 'src', 'tsconfig.json', 'tsconfig.build.json'], {
    maxBuffer: 64 << 20,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  symlinkSync(resolve('node_modules'), `${dir}/node_modules`);
  writeFileSync(`${dir}/package.json`, '{"type":"module"}');
  execFileSync(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: dir,
    stdio: 'inherit',
  });
  writeFileSync(
    `${dir}/rollup.config.mjs`,
    `import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
export default { input: 'dist/index.js', plugins: [nodeResolve({ browser: true }), terser({ format: { comments: false } })],
  output: { file: 'dist/bundle/reconnecting-session.min.js', format: 'es' } };`,
  );
  execFileSync(
    process.execPath,
    [resolve('node_modules/rollup/dist/bin/rollup'), '-c', 'rollup.config.mjs', '--silent'],
    {
      cwd: dir,
      stdio: 'inherit',
    },
  );
  const file = `${dir}/dist/bundle/reconnecting-session.min.js`;
  if (!existsSync(file)) throw new Error(`baseline ${ref}: no bundle built`);
  return { ref: execFileSync('git', ['rev-parse', '--short', ref]).toString().trim(), file, dir };
}
