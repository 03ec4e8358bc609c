// Bundle size: what a page downloads for the script-tag bundle (lit inside), gzip level 9.
import { existsSync, readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';

export function measure(file) {
  const bytes = readFileSync(file);
  return { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli: brotliCompressSync(bytes).length };
}

/** This build's bundles, and a baseline build's script-tag bundle when `baselineDir` is given. */
export function sizes(baselineDir) {
  const rows = [];
  const row = (file, build, path) => existsSync(path) && rows.push({ file, build, ...measure(path) });
  row('reconnecting-session.min.js', 'this', 'dist/bundle/reconnecting-session.min.js');
  row('reconnecting-session.no-overlay.min.js', 'this', 'dist/bundle/reconnecting-session.no-overlay.min.js');
  if (baselineDir)
    row('reconnecting-session.min.js', 'before', `${baselineDir}/dist/bundle/reconnecting-session.min.js`);
  return rows;
}
