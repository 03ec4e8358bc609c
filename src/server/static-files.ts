/** A small static file handler for the CLI's --static: GET and HEAD only, nothing outside its folder. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** `extra` maps URL paths to files outside the folder (the element's bundle, so a page can load it from here). */
export function staticFiles(folder: string, extra: Record<string, string> = {}): RequestListener {
  const root = resolve(folder);
  return (req, res) => {
    void serve(root, extra, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}

async function serve(root: string, extra: Record<string, string>, req: IncomingMessage, res: ServerResponse) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
  }
  const raw = (req.url ?? '/').split(/[?#]/, 1)[0]!;
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return void res.writeHead(400).end('bad path');
  }
  if (!path.startsWith('/') || path.includes('\0')) return void res.writeHead(400).end('bad path');
  let file = extra[path] ?? resolve(join(root, path));
  if (!(path in extra) && file !== root && !file.startsWith(root + sep))
    return void res.writeHead(404).end('not found');
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  res.writeHead(200, {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': info.size,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
