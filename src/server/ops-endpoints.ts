/**
 * `/healthz`, `/readyz` and `/metrics` for load balancers, Kubernetes and Prometheus. Plain HTTP requests, so the
 * WebSocket origin check does not apply; they answer only GET and HEAD, say nothing about sessions or clients,
 * and change nothing however they are called.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionServerMetrics } from './metrics.js';
import { requestPath } from './upgrade-gate.js';

export interface OpsEndpoints {
  /** Null when ready, else why not (see Readiness). */
  ready(): Promise<string | null>;
  /** Serves `/metrics` when given. */
  metrics?: SessionServerMetrics;
}

const TEXT = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };

/** Returns a request handler that answers its paths and returns false for any other, for the caller to serve. */
export function opsHandler(ops: OpsEndpoints): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = requestPath(req.url);
    if (path !== '/healthz' && path !== '/readyz' && !(path === '/metrics' && ops.metrics)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...TEXT, allow: 'GET, HEAD' }).end('method not allowed\n');
      return true;
    }
    const reply = (status: number, headers: Record<string, string>, body: string) => {
      res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const failed = () => {
      if (!res.headersSent) reply(500, TEXT, 'internal error\n');
      else res.destroy();
    };
    if (path === '/healthz') {
      reply(200, TEXT, 'ok\n');
    } else if (path === '/readyz') {
      ops
        .ready()
        .then((reason) => reply(reason ? 503 : 200, TEXT, reason ? `not ready: ${reason}\n` : 'ready\n'), failed);
    } else {
      const metrics = ops.metrics!;
      metrics
        .metrics()
        .then((text) => reply(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }, text), failed);
    }
    return true;
  };
}
