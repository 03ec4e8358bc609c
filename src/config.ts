/** Attribute values → client options. Invalid values fall back to defaults with one warning each. */
import { DEFAULT_DELAYS, DEFAULT_JITTER, DEFAULT_MAX_ATTEMPTS, geometricDelays } from './client/backoff.js';

export type ReconnectMode = 'auto' | 'prompt' | 'off';
export type ProtocolMode = 'plain' | 'session';

export interface ClientConfig {
  urls: string[];
  protocol: ProtocolMode;
  reconnect: ReconnectMode;
  delays: number[];
  maxAttempts: number;
  jitter: number;
  maxQueue: number;
  maxQueueBytes: number;
  sessionParam: string;
  heartbeatInterval: number;
  heartbeatTimeout: number;
  connectTimeout: number;
  pauseHidden: boolean;
}

export const DEFAULTS = {
  protocol: 'plain' as ProtocolMode,
  reconnect: 'auto' as ReconnectMode,
  maxAttempts: DEFAULT_MAX_ATTEMPTS,
  jitter: DEFAULT_JITTER,
  maxQueue: 100_000,
  maxQueueBytes: 16 * 1024 * 1024,
  sessionParam: 'session',
  heartbeatInterval: 15000,
  heartbeatTimeout: 10000,
  connectTimeout: 10000,
  factor: 2,
};

/** The raw attribute strings; null when the attribute is absent. */
export interface RawAttributes {
  url: string | null;
  protocol: string | null;
  reconnect: string | null;
  delays: string | null;
  initialDelay: string | null;
  maxDelay: string | null;
  factor: string | null;
  maxAttempts: string | null;
  jitter: string | null;
  maxQueue: string | null;
  maxQueueBytes: string | null;
  sessionParam: string | null;
  heartbeatInterval: string | null;
  heartbeatTimeout: string | null;
  connectTimeout: string | null;
  pauseHidden: boolean;
}

/** Every attribute absent: the defaults. */
export const NO_ATTRIBUTES: Readonly<RawAttributes> = {
  url: null,
  protocol: null,
  reconnect: null,
  delays: null,
  initialDelay: null,
  maxDelay: null,
  factor: null,
  maxAttempts: null,
  jitter: null,
  maxQueue: null,
  maxQueueBytes: null,
  sessionParam: null,
  heartbeatInterval: null,
  heartbeatTimeout: null,
  connectTimeout: null,
  pauseHidden: false,
};

export interface ParsedConfig {
  config: ClientConfig;
  /** One line per invalid attribute, naming it and its value. */
  warnings: string[];
}

const MAX_DURATION = 24 * 60 * 60 * 1000;

/** A host name with a dot and a known-looking top-level domain, or localhost, before any path: `example.com/ws`. */
const HOST_WITHOUT_SCHEME = /^(localhost|[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,})(:\d+)?(\/|$)/i;

/** The warning for an element that should connect but has no URL. */
export const NO_URL_WARNING =
  '<reconnecting-session>: no url attribute (or it is empty), so it cannot connect; set url="wss://…" or el.url.';

/** Resolves relative and http(s) URLs against the page so `url="/ws"` works. */
export function parseUrls(raw: string, base: string): { urls: string[]; bad: string[] } {
  const urls: string[] = [];
  const bad: string[] = [];
  for (const part of raw.split(/\s+/).filter(Boolean)) {
    try {
      const u = new URL(part, base);
      if (u.protocol === 'http:') u.protocol = 'ws:';
      else if (u.protocol === 'https:') u.protocol = 'wss:';
      if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error('not a WebSocket URL');
      u.hash = '';
      urls.push(u.href);
    } catch {
      bad.push(part);
    }
  }
  return { urls, bad };
}

/** Attribute readers that fall back to a default and record one warning naming the attribute and value. */
export function attributeParsers(warnings: string[]) {
  const warn = (attr: string, value: string, expected: string, fallback: string) =>
    warnings.push(
      `<reconnecting-session>: invalid ${attr}=${JSON.stringify(value)} (expected ${expected}); using ${fallback}.`,
    );
  const number = (attr: string, value: string | null, fallback: number, min: number, max: number, integer = false) => {
    if (value === null) return fallback;
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      warn(attr, value, `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`, String(fallback));
      return fallback;
    }
    return n;
  };
  const choice = <T extends string>(attr: string, value: string | null, options: readonly T[], fallback: T): T => {
    if (value === null) return fallback;
    // Enumerated attributes are case-insensitive, as HTML's own are.
    const normal = value.trim().toLowerCase();
    if ((options as readonly string[]).includes(normal)) return normal as T;
    warn(attr, value, options.join(' | '), fallback);
    return fallback;
  };
  return { warn, number, choice };
}

export function parseConfig(raw: RawAttributes, base: string): ParsedConfig {
  const warnings: string[] = [];
  const { warn, number, choice } = attributeParsers(warnings);

  let urls: string[] = [];
  if (raw.url !== null) {
    const parsed = parseUrls(raw.url, base);
    urls = parsed.urls;
    for (const part of raw.url.split(/\s+/)) {
      // "example.com/ws" is a relative path on the page's own server: almost never what was meant.
      if (HOST_WITHOUT_SCHEME.test(part)) {
        warnings.push(
          `<reconnecting-session>: url=${JSON.stringify(part)} has no scheme, so it is a path on this page's server (${new URL(part, base).pathname}); write wss://${part} to reach that host.`,
        );
      }
    }
    if (parsed.bad.length > 0) {
      warn(
        'url',
        raw.url,
        'ws:, wss:, http: or https: URLs separated by spaces',
        urls.length ? urls.join(' ') : 'no URL',
      );
    }
  }

  const maxAttempts = number('max-attempts', raw.maxAttempts, DEFAULTS.maxAttempts, 0, 1_000_000, true);

  let delays: number[] = [...DEFAULT_DELAYS];
  if (raw.delays !== null) {
    const parts = raw.delays
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    if (parts.length === 0 || parts.some((n) => !Number.isFinite(n) || n < 0 || n > MAX_DURATION)) {
      warn('delays', raw.delays, 'a list of non-negative milliseconds', DEFAULT_DELAYS.join(','));
    } else {
      delays = parts;
    }
  } else if (raw.initialDelay !== null || raw.maxDelay !== null || raw.factor !== null) {
    const initial = number('initial-delay', raw.initialDelay, DEFAULT_DELAYS[0]!, 0, MAX_DURATION);
    let max = number('max-delay', raw.maxDelay, DEFAULT_DELAYS.at(-1)!, 0, MAX_DURATION);
    if (max < initial) {
      warn('max-delay', String(max), `at least initial-delay (${initial})`, String(initial));
      max = initial;
    }
    const factor = number('factor', raw.factor, DEFAULTS.factor, 1, 100);
    delays = geometricDelays(initial, max, factor, Math.max(1, Math.min(maxAttempts, 64)));
  }

  const config: ClientConfig = {
    urls,
    // An unknown protocol was meant to be something other than the default: falling back to plain would
    // silently drop the delivery guarantee, so use session (a plain server then fails visibly).
    protocol: choice(
      'protocol',
      raw.protocol,
      ['plain', 'session'] as const,
      raw.protocol === null ? DEFAULTS.protocol : 'session',
    ),
    reconnect: choice('reconnect', raw.reconnect, ['auto', 'prompt', 'off'] as const, DEFAULTS.reconnect),
    delays,
    maxAttempts,
    jitter: number('jitter', raw.jitter, DEFAULTS.jitter, 0, 1),
    maxQueue: number('max-queue', raw.maxQueue, DEFAULTS.maxQueue, 0, 10_000_000, true),
    maxQueueBytes: number('max-queue-bytes', raw.maxQueueBytes, DEFAULTS.maxQueueBytes, 0, 2 ** 31, true),
    sessionParam: DEFAULTS.sessionParam,
    heartbeatInterval: number(
      'heartbeat-interval',
      raw.heartbeatInterval,
      DEFAULTS.heartbeatInterval,
      100,
      MAX_DURATION,
    ),
    heartbeatTimeout: number('heartbeat-timeout', raw.heartbeatTimeout, DEFAULTS.heartbeatTimeout, 100, MAX_DURATION),
    connectTimeout: number('connect-timeout', raw.connectTimeout, DEFAULTS.connectTimeout, 100, MAX_DURATION),
    pauseHidden: raw.pauseHidden,
  };
  if (raw.sessionParam !== null) {
    if (/^[A-Za-z0-9_.~-]{1,64}$/.test(raw.sessionParam)) config.sessionParam = raw.sessionParam;
    else warn('session-param', raw.sessionParam, 'a URL query parameter name', DEFAULTS.sessionParam);
  }
  return { config, warnings };
}
