/**
 * Every attribute of <reconnecting-session>, once. The element's reactive properties and their types, the
 * attribute parsing (config.ts for the client, overlay-config.ts for the overlay) and the custom-elements
 * manifest (custom-elements-manifest.config.mjs) all follow from this table. A row's doc comment documents
 * the property and its attribute (kebab-case of its name); `@default` only where the default depends on the
 * situation, so the element cannot state it as a value.
 */
import type { PropertyDeclarations } from 'lit';
import { DEFAULT_DELAYS, DEFAULT_JITTER, DEFAULT_MAX_ATTEMPTS } from './client/backoff.js';
import type { Status } from './client/types.js';

const DAY = 24 * 60 * 60 * 1000;

export interface Row {
  /** Who reads it: `client` settings reconfigure the client (RawAttributes), `overlay` ones the overlay. */
  for?: 'client' | 'overlay';
  /** An HTML boolean attribute: present means true. */
  flag?: true;
  /** A number in [min, max]; the property takes a number or the attribute's string. */
  min?: number;
  max?: number;
  integer?: true;
  /** One of these words, in any case. */
  options?: readonly string[];
  /** What a valid value matches, and how the warning describes it. */
  pattern?: RegExp;
  expected?: string;
  /** The value in effect while the attribute is absent. */
  default?: string | number | boolean | readonly number[];
  /** The property's value before anything sets it, when not null. */
  initial?: unknown;
  reflect?: true;
}

export const SETTINGS = {
  /**
   * WebSocket URL; several separated by spaces are tried in turn. Relative and http(s) URLs are resolved against
   * the page. Without one the element waits (and warns) instead of connecting.
   */
  url: { for: 'client' },
  /** `plain` (any WebSocket server) or `session` (the resumable session protocol of this package's server). */
  protocol: { for: 'client', options: ['plain', 'session'] as const, default: 'plain' },
  /** `auto` (reconnect by itself), `prompt` (only through the retry button) or `off`. */
  reconnect: { for: 'client', options: ['auto', 'prompt', 'off'] as const, default: 'auto' },
  /**
   * Explicit delays before each reconnect attempt, in milliseconds (`1000,2000,4000`); attempts past the list
   * reuse its last entry. Takes precedence over `initial-delay`, `max-delay` and `factor`.
   */
  delays: { for: 'client', default: DEFAULT_DELAYS },
  /** First delay of a geometric schedule, in milliseconds (with `max-delay` and `factor`, instead of `delays`). */
  initialDelay: { for: 'client', min: 0, max: DAY, default: DEFAULT_DELAYS[0]! },
  /** Longest delay of the geometric schedule, in milliseconds. */
  maxDelay: { for: 'client', min: 0, max: DAY, default: DEFAULT_DELAYS.at(-1)! },
  /** Growth factor of the geometric schedule (1 to 100). */
  factor: { for: 'client', min: 1, max: 100, default: 2 },
  /** Automatic reconnect attempts before the status becomes `failed`; `0` fails at the first drop. */
  maxAttempts: { for: 'client', min: 0, max: 1_000_000, integer: true, default: DEFAULT_MAX_ATTEMPTS },
  /** 0..1: each delay is spread uniformly over ±jitter of itself, so clients do not all return at once. */
  jitter: { for: 'client', min: 0, max: 1, default: DEFAULT_JITTER },
  /** Messages the outbound queue may hold while the connection is down (and, in session mode, until acknowledged). */
  maxQueue: { for: 'client', min: 0, max: 10_000_000, integer: true, default: 100_000 },
  /** Bytes (approximate, as sent) the queue may hold. */
  maxQueueBytes: { for: 'client', min: 0, max: 2 ** 31, integer: true, default: 16 * 1024 * 1024 },
  /** Session mode: the URL query parameter that carries the session ID. */
  sessionParam: {
    for: 'client',
    pattern: /^[A-Za-z0-9_.~-]{1,64}$/,
    expected: 'a URL query parameter name',
    default: 'session',
  },
  /** Session mode: milliseconds between heartbeats that detect a half-open connection. */
  heartbeatInterval: { for: 'client', min: 100, max: DAY, default: 15000 },
  /** Session mode: milliseconds without an answer to a heartbeat before the connection counts as lost. */
  heartbeatTimeout: { for: 'client', min: 100, max: DAY, default: 10000 },
  /** Milliseconds an attempt may take to open before it is abandoned and the next one scheduled. */
  connectTimeout: { for: 'client', min: 100, max: DAY, default: 10000 },
  /** While the page is hidden, hold reconnect attempts until it is shown again (an open connection stays open). */
  pauseHidden: { for: 'client', flag: true },
  /** Do not connect when added to the page; call `connect()`. */
  manual: { flag: true },
  /**
   * Keep the session in sessionStorage so a reload resumes it; the value, if any, names the storage slot
   * (by default the first URL). Absent: nothing is stored.
   */
  persist: {},
  /**
   * One connection for every tab: elements with the same value (or none), URLs and protocol on this origin share
   * one socket and one server session, held by one tab and handed over when it closes, crashes or freezes.
   * Read when connecting. Needs Web Locks and BroadcastChannel; without them each element connects alone.
   */
  share: {},
  /** `toast` (corner notice, page stays usable), `modal` (dims and blocks the app) or `none` (events only). */
  overlay: { for: 'overlay', options: ['toast', 'modal', 'none'] as const, default: 'toast' },
  /** Where the toast sits: `bottom-right`, `bottom-left`, `top-right`, `top-left`, `top`, `bottom` or `center`. */
  position: {
    for: 'overlay',
    options: ['bottom-right', 'bottom-left', 'top-right', 'top-left', 'top', 'bottom', 'center'] as const,
    default: 'bottom-right',
  },
  /** Drops that recover within this many milliseconds show nothing. */
  gracePeriod: { for: 'overlay', min: 0, max: 60_000, default: 500 },
  /** How long the "Reconnected" confirmation stays, in milliseconds. */
  reconnectedDuration: { for: 'overlay', min: 0, max: 60_000, default: 2000 },
  /**
   * Text shown while reconnecting (plain text, never HTML; the `reconnecting` slot replaces it). Before the first
   * connection the default is "Connecting to the server…", after a planned restart "The server is restarting.".
   * @default 'Connection lost.'
   */
  reconnectingMessage: {},
  /**
   * Text shown while the browser is offline (plain text; the `offline` slot replaces it).
   * @default 'You are offline. Waiting for the network…'
   */
  offlineMessage: {},
  /**
   * Text shown once automatic attempts are exhausted (plain text; the `failed` slot replaces it). Before the first
   * connection the default is "Could not connect to the server.".
   * @default 'Could not reconnect.'
   */
  failedMessage: {},
  /**
   * Text shown when the connection closed and will not come back by itself (plain text; the `disconnected` slot
   * replaces it). Also serves while reconnecting when `reconnecting-message` is absent.
   * @default 'Disconnected from the server.'
   */
  disconnectedMessage: {},
  /**
   * Text shown when the session could not be resumed (plain text; the `expired` slot replaces it).
   * @default 'Your session has expired. Reload the page to continue.'
   */
  expiredMessage: {},
  /**
   * Text shown when the server refused the page's credential, or the `auth` function failed (plain text; the
   * `signed-out` slot replaces it). Its Sign in button fires `session-signin` and, unless that is cancelled,
   * reloads the page.
   * @default 'You are signed out.'
   */
  signedOutMessage: {},
  /**
   * Text of the short confirmation after a visible outage (plain text; the `reconnected` slot replaces it).
   * @default 'Reconnected.'
   */
  reconnectedMessage: {},
  /** Session mode: the session ID to resume; reflected when the server assigns one. */
  sessionId: { reflect: true },
  /**
   * Current connection status, reflected for CSS (`:host([status='reconnecting'])`). Read-only: the element puts
   * back any value a page writes.
   * @type {'idle' | 'connecting' | 'open' | 'reconnecting' | 'failed' | 'closed'}
   * @readonly
   */
  status: { reflect: true, initial: 'idle' as Status },
} as const satisfies Record<string, Row>;

type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
export type ClientSettingName = { [K in SettingName]: Settings[K] extends { for: 'client' } ? K : never }[SettingName];

/** What a page may assign to each property. */
export type SettingValues = {
  -readonly [K in SettingName]: Settings[K] extends { flag: true }
    ? boolean
    : Settings[K] extends { min: number }
      ? string | number | null
      : Settings[K] extends { initial: infer V }
        ? V
        : string | null;
};

/** What a valid attribute (or its absence) means. */
export type Parsed<K extends SettingName> = Settings[K] extends { flag: true }
  ? boolean
  : Settings[K] extends { min: number }
    ? number
    : Settings[K] extends { options: readonly (infer O)[] }
      ? O
      : Settings[K] extends { default: string }
        ? string
        : string | null;

/** The rows read by `for` (in table order). */
export const settingsFor = (part: Row['for']) =>
  (Object.keys(SETTINGS) as SettingName[]).filter((name) => (SETTINGS[name] as Row).for === part);

export const attributeName = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The element's `static properties`. */
export function settingProperties(): PropertyDeclarations {
  return Object.fromEntries(
    Object.entries(SETTINGS).map(([name, row]: [string, Row]) => [
      name,
      { attribute: attributeName(name), type: row.flag && Boolean, reflect: row.reflect },
    ]),
  );
}

/** Each property's value before anything sets it. */
export const initialValue = (row: Row): unknown => (row.flag ? false : (row.initial ?? null));

/** Records one warning naming the attribute, the value, what was expected and what is used instead. */
export function warnInvalid(warnings: string[], attr: string, value: string, expected: string, fallback: string) {
  warnings.push(
    `<reconnecting-session>: invalid ${attr}=${JSON.stringify(value)} (expected ${expected}); using ${fallback}.`,
  );
}

/**
 * An attribute's value as its row reads it; an invalid one falls back (to the row's default unless
 * `fallback` says otherwise) with a warning. Enumerated attributes are case-insensitive, as HTML's own are.
 */
export function readSetting<K extends SettingName>(
  name: K,
  value: string | boolean | null,
  warnings: string[],
  fallback = (SETTINGS[name] as Row).default,
): Parsed<K> {
  const row: Row = SETTINGS[name];
  if (value === null || typeof value === 'boolean') return (value ?? fallback ?? null) as Parsed<K>;
  let valid: unknown = value;
  let expected = row.expected;
  if (row.min !== undefined) {
    const { min, max = Infinity, integer } = row;
    const n = Number(value.trim());
    const ok = value.trim() !== '' && Number.isFinite(n) && n >= min && n <= max && (!integer || Number.isInteger(n));
    valid = ok ? n : undefined;
    expected = `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
  } else if (row.options) {
    const normal = value.trim().toLowerCase();
    valid = row.options.includes(normal) ? normal : undefined;
    expected = row.options.join(' | ');
  } else if (row.pattern && !row.pattern.test(value)) {
    valid = undefined;
  }
  if (valid !== undefined) return valid as Parsed<K>;
  warnInvalid(warnings, attributeName(name), value, expected!, String(fallback));
  return fallback as Parsed<K>;
}
