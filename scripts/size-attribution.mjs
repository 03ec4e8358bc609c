// Which module costs what in a built bundle: each byte of the minified file is given to its source module
// (through the source map), and a module's cost is the bundle's gzip size minus the gzip size without its
// bytes. Costs add up to more than the total (gzip shares context between modules); the order is the point.
// Usage: node scripts/size-attribution.mjs [dist/bundle/reconnecting-session.min.js]
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { TraceMap, eachMapping } from '@jridgewell/trace-mapping';

const file = process.argv[2] ?? 'dist/bundle/reconnecting-session.min.js';
const code = readFileSync(file, 'utf8');
const map = new TraceMap(readFileSync(`${file}.map`, 'utf8'));
const lineStarts = [0];
for (let i = 0; i < code.length; i++) if (code[i] === '\n') lineStarts.push(i + 1);
const marks = [];
eachMapping(map, (m) =>
  marks.push({ at: lineStarts[m.generatedLine - 1] + m.generatedColumn, source: m.source ?? '(none)' }),
);
marks.sort((a, b) => a.at - b.at);
const owner = new Array(code.length).fill('(none)');
marks.forEach((m, i) => owner.fill(m.source, m.at, marks[i + 1]?.at ?? code.length));

const gzip = (text) => gzipSync(text, { level: 9 }).length;
const total = gzip(code);
const modules = new Map();
owner.forEach((source, i) => {
  const name = source.replace(/^.*node_modules\//, '').replace(/^(\.\.\/)+/, '');
  if (!modules.has(name)) modules.set(name, new Set());
  modules.get(name).add(i);
});
const rows = [...modules].map(([module, bytes]) => ({
  module,
  minified: bytes.size,
  gzip: total - gzip([...code].filter((_, i) => !bytes.has(i)).join('')),
}));
rows.sort((a, b) => b.gzip - a.gzip);
console.log(`${file}: ${code.length} B minified, ${total} B gzip`);
console.table(rows);
