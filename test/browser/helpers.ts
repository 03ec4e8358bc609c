import { executeServerCommand } from '@web/test-runner-commands';
import { waitUntil as owcWaitUntil } from '@open-wc/testing';
import type { ReconnectingSessionElement } from '../../src/reconnecting-session.js';
import '../../src/index.js';

export interface TestServer {
  id: number;
  port: number;
  url: string;
  drop(): Promise<{ dropped: number }>;
  close(code: number, reason?: string): Promise<unknown>;
  send(data: string): Promise<{ sent: number }>;
  stop(): Promise<unknown>;
  restart(): Promise<unknown>;
  refuse(ms: number): Promise<unknown>;
  stall(): Promise<unknown>;
  stats(): Promise<{
    connections: number;
    live: number;
    received: unknown[];
    urls: string[];
    /** Plain mode: each upgrade's bearer credential (decoded), offered subprotocols and the one selected. */
    upgrades: { credential: string | null; protocols: string | null; selected: string }[];
    listening: boolean;
  }>;
  /** Plain mode: from now on a socket without one of these bearer credentials is closed with 4401. */
  accept(credentials: string[]): Promise<unknown>;
  dispose(): Promise<unknown>;
}

const servers: TestServer[] = [];

/** A real WebSocket server on 127.0.0.1 for this test; `disposeServers()` in afterEach stops it. */
export async function startServer(options: { echo?: boolean; accept?: string[] } = {}): Promise<TestServer> {
  const info = await executeServerCommand<{ id: number; port: number; url: string }, object>('ws', {
    action: 'start',
    ...options,
  });
  const call = <T>(action: string, extra: object = {}) =>
    executeServerCommand<T, object>('ws', { action, id: info.id, ...extra }) as Promise<T>;
  const server: TestServer = {
    ...info,
    drop: () => call('drop'),
    close: (code, reason) => call('close', { code, reason }),
    send: (data) => call('send', { data }),
    stop: () => call('stop'),
    restart: () => call('restart'),
    refuse: (ms) => call('refuse', { ms }),
    stall: () => call('stall'),
    stats: () => call('stats'),
    accept: (credentials) => call('accept', { credentials }),
    dispose: () => call('dispose'),
  };
  servers.push(server);
  return server;
}

export interface ServerSession {
  id: string;
  connected: boolean;
  blocked: boolean;
  received: unknown[];
}

export interface SessionTestServer extends TestServer {
  sessionSend(data: unknown, sid?: string): Promise<{ seqs: number[] }>;
  sessionSendMany(count: number, sid?: string): Promise<{ seqs: number[] }>;
  sessions(): Promise<ServerSession[]>;
  expired(): Promise<string[]>;
  block(sid?: string, maxMs?: number): Promise<unknown>;
  unblock(sid?: string): Promise<unknown>;
  closeSession(sid?: string): Promise<unknown>;
  drain(afterMs: number, spreadMs: number): Promise<unknown>;
  endDrain(): Promise<unknown>;
  createSession(): Promise<{ id: string; token: string }>;
  sweep(): Promise<string[]>;
  crash(): Promise<unknown>;
  /** The server stops reading the sockets open now but keeps writing to them (a link dead one way). */
  deafen(): Promise<unknown>;
  /** The latest session sends `{tick: n}` every `ms`. */
  chatter(ms: number): Promise<unknown>;
}

/** The real SessionServer (session protocol) on 127.0.0.1; `options` go to createSessionServer. */
export async function startSessionServer(
  options: Record<string, unknown> = {},
  extra: { echo?: boolean } = {},
): Promise<SessionTestServer> {
  const base = await startServer({ ...extra, mode: 'session', options } as { echo?: boolean });
  const call = <T>(action: string, more: object = {}) =>
    executeServerCommand<T, object>('ws', { action, id: base.id, ...more }) as Promise<T>;
  return {
    ...base,
    sessionSend: (data, sid) => call('sessionSend', { data, sid }),
    sessionSendMany: (count, sid) => call('sessionSend', { count, sid }),
    sessions: () => call('sessions'),
    expired: () => call('expired'),
    block: (sid, maxMs) => call('block', { sid, maxMs }),
    unblock: (sid) => call('unblock', { sid }),
    closeSession: (sid) => call('closeSession', { sid }),
    drain: (afterMs, spreadMs) => call('drain', { afterMs, spreadMs }),
    endDrain: () => call('endDrain'),
    createSession: () => call('createSession'),
    sweep: () => call('sweep'),
    crash: () => call('crash'),
    deafen: () => call('deafen'),
    chatter: (ms) => call('chatter', { ms }),
  };
}

const hosts: HTMLElement[] = [];

/** Removes what `mount` added and stops this test's servers; use as `afterEach(cleanup)`. */
export async function cleanup(): Promise<void> {
  for (const host of hosts.splice(0)) host.remove();
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
}

/** Parses `markup` into the page. (Not `fixture`: it waits for animation frames, which background test pages never get.) */
export async function mount(markup: string): Promise<ReconnectingSessionElement> {
  const host = document.createElement('div');
  host.innerHTML = markup;
  document.body.append(host);
  hosts.push(host);
  const el = host.querySelector('reconnecting-session')!;
  await el.updateComplete;
  return el;
}

/** open-wc's waitUntil with a 5 s default: its 1 s default is too tight for a busy CI machine. */
export function waitUntil(
  predicate: () => unknown | Promise<unknown>,
  message?: string,
  options: { interval?: number; timeout?: number } = {},
): Promise<void> {
  return owcWaitUntil(predicate, message, { timeout: 5000, ...options });
}

/**
 * Resolves once the element is in `status`, by its `session-status` events rather than by polling: a status that
 * lasts 25 ms (WebKit's `reconnecting` before a quick reopen) falls between two polls.
 */
export function waitForStatus(el: ReconnectingSessionElement, status: string, timeout = 8000): Promise<void> {
  if (el.status === status) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      el.removeEventListener('session-status', onStatus);
    };
    const onStatus = () => {
      if (el.status !== status) return;
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`status never became ${status} (is ${el.status})`));
    }, timeout);
    el.addEventListener('session-status', onStatus);
  });
}

/** The engine running the suite, for the few tests its automation cannot drive. */
export const engine: 'chromium' | 'firefox' | 'webkit' = /Firefox\//.test(navigator.userAgent)
  ? 'firefox'
  : /Chrom(e|ium)\//.test(navigator.userAgent)
    ? 'chromium'
    : 'webkit';

/**
 * A test that only `engines` can run; elsewhere it is reported as skipped with the reason in its title, so every
 * engine's results name what it did not check and why.
 */
export function itIn(engines: (typeof engine)[], reason: string, title: string, fn: Mocha.AsyncFunc): void {
  if (engines.includes(engine)) it(title, fn);
  else
    it(`${title} [skipped in ${engine}: ${reason}]`, function () {
      this.skip();
    });
}

/**
 * Mounts `markup` in an iframe of `width` × `height` with the element loaded there: a small screen in every
 * engine, where WebDriver cannot resize the window and MiniBrowser will not go below 447 px.
 */
export async function mountInFrame(markup: string, width: number, height: number): Promise<ReconnectingSessionElement> {
  const frame = document.createElement('iframe');
  frame.style.cssText = `width:${width}px;height:${height}px;border:0;position:absolute;left:0;top:0`;
  const entry = new URL('/src/index.ts', location.href).href;
  frame.srcdoc = `<!doctype html><meta charset="utf-8"><style>body{margin:0}</style><script type="module" src="${entry}"></script>${markup}`;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  document.body.append(frame);
  hosts.push(frame);
  await loaded;
  const win = frame.contentWindow as Window & typeof globalThis;
  await win.customElements.whenDefined('reconnecting-session');
  const el = win.document.querySelector('reconnecting-session') as ReconnectingSessionElement;
  await el.updateComplete;
  return el;
}

export function collect<T extends Event>(el: EventTarget, type: string): T[] {
  const events: T[] = [];
  el.addEventListener(type, (e) => events.push(e as T));
  return events;
}
