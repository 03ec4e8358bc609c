// Bundle size: what a page downloads for the script-tag bundle, and lit's share of it.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';

export function sizes() {
  const row = (name, file) => {
    const bytes = readFileSync(file);
    return {
      file: name,
      bytes: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes).length,
    };
  };
  return [
    row('reconnecting-session.min.js (lit inside)', 'dist/bundle/reconnecting-session.min.js'),
    row('reconnecting-session.esm.js (lit external, unminified)', 'dist/bundle/reconnecting-session.esm.js'),
  ];
}
