// CI size check: the script-tag bundles (lit inside), gzip level 9, must stay under their limits.
// The full bundle renders its overlay with lit-html, which the issue that brought it back valued above its
// 2.7 KB: its limit was 20 KiB, raised by 256 B to 20,736 B for authenticated sessions (issue 17: `auth`, reauth,
// the 4401 retry cost ~350 B; 20,642 B measured with them), and by 256 B again to 20,992 B for the rest of issue 17
// (signed-out notice + plain credential, 273 B: 138 B for the notice, 135 B for fetching the credential before each
// plain socket and offering it as a subprotocol; 20,921 B measured). The no-overlay bundle (the element without its overlay controller, as
// socket.io-client or SignalR ship) carries no lit-html and must stay within its size before that change (13,905 B).
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const bundles = [
  ['dist/bundle/reconnecting-session.min.js', Number(process.env.SIZE_LIMIT_BYTES ?? 20_992)],
  ['dist/bundle/reconnecting-session.no-overlay.min.js', 13_905],
];
let failed = false;
for (const [file, limit] of bundles) {
  if (!existsSync(file)) {
    console.error(`size check: ${file} is missing; run npm run build first`);
    process.exit(1);
  }
  const gzip = gzipSync(readFileSync(file), { level: 9 }).length;
  const verdict = gzip <= limit ? 'ok' : 'TOO BIG';
  console.log(`size check: ${file} is ${gzip} B gzip, limit ${limit} B: ${verdict}`);
  if (gzip > limit) failed = true;
}
if (failed) process.exit(1);
