/** Attribute values → client options. Invalid values fall back to defaults with one warning each. */
import { DEFAULT_DELAYS, geometricDelays } from './client/backoff.js';
import {
  SETTINGS,
  initialValue,
  readSetting,
  settingsFor,
  warnInvalid,
  type ClientSettingName,
  type Parsed,
} from './settings.js';

export type ReconnectMode = Parsed<'reconnect'>;
export type ProtocolMode = Parsed<'protocol'>;

/** Settings that parseConfig combines rather than passes on one by one. */
type Combined = 'url' | 'delays' | 'initialDelay' | 'maxDelay' | 'factor';
type PassedOn = Exclude<ClientSettingName, Combined>;

type PassedOnValues = { [K in PassedOn]: Parsed<K> };

/** The client's options: each `client` setting of the table as parsed, with `url` and the schedule combined. */
export interface ClientConfig extends PassedOnValues {
  urls: string[];
  delays: number[];
}

/** The raw attribute strings of the `client` settings; null when the attribute is absent. */
export type RawAttributes = {
  [K in ClientSettingName]: (typeof SETTINGS)[K] extends { flag: true } ? boolean : string | null;
};

const CLIENT_SETTINGS = settingsFor('client') as ClientSettingName[];
/** Read apart from the others: the combined ones, and protocol with its own fallback. */
const APART = new Set<string>(['url', 'delays', 'initialDelay', 'maxDelay', 'factor', 'protocol']);

/** Every attribute absent: the defaults. */
export const NO_ATTRIBUTES: Readonly<RawAttributes> = Object.fromEntries(
  CLIENT_SETTINGS.map((name) => [name, initialValue(SETTINGS[name])]),
) as RawAttributes;

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

export function parseConfig(raw: RawAttributes, base: string): ParsedConfig {
  const warnings: string[] = [];
  const read = <K extends ClientSettingName>(name: K, fallback?: string) =>
    readSetting(name, raw[name], warnings, fallback);

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
      const using = urls.length ? urls.join(' ') : 'no URL';
      warnInvalid(warnings, 'url', raw.url, 'ws:, wss:, http: or https: URLs separated by spaces', using);
    }
  }

  const config = { urls, delays: [...DEFAULT_DELAYS] } as ClientConfig;
  // Each setting under its own name: the table says what type it is read as.
  const passed = config as unknown as Record<string, unknown>;
  for (const name of CLIENT_SETTINGS) if (!APART.has(name)) passed[name] = read(name);
  // An unknown protocol was meant to be something other than the default: falling back to plain would
  // silently drop the delivery guarantee, so use session (a plain server then fails visibly).
  config.protocol = read('protocol', raw.protocol === null ? undefined : 'session');

  if (raw.delays !== null) {
    const parts = raw.delays
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    if (parts.length === 0 || parts.some((n) => !Number.isFinite(n) || n < 0 || n > MAX_DURATION)) {
      warnInvalid(warnings, 'delays', raw.delays, 'a list of non-negative milliseconds', DEFAULT_DELAYS.join(','));
    } else {
      config.delays = parts;
    }
  } else if (raw.initialDelay !== null || raw.maxDelay !== null || raw.factor !== null) {
    const initial = read('initialDelay');
    let max = read('maxDelay');
    if (max < initial) {
      warnInvalid(warnings, 'max-delay', String(max), `at least initial-delay (${initial})`, String(initial));
      max = initial;
    }
    const attempts = Math.max(1, Math.min(config.maxAttempts, 64));
    config.delays = geometricDelays(initial, max, read('factor'), attempts);
  }
  return { config, warnings };
}
