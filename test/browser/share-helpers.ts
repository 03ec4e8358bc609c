import { executeServerCommand } from '@web/test-runner-commands';
import { waitUntil } from './helpers.js';

export interface ShareLog {
  data: { tab?: string; n?: number; tick?: number; echo?: { tab: string; n: number } }[];
  statuses: [string, number][];
  errors: string[];
  sent: number;
  notes: string[];
}

export interface Tab {
  name: string;
  log(): Promise<ShareLog>;
  leading(): Promise<boolean>;
  eval<T>(expression: string): Promise<T>;
  /** Sends `{tab, n}` every `ms`. */
  chatter(ms: number): Promise<unknown>;
  hush(): Promise<unknown>;
  close(): Promise<unknown>;
  /** The renderer is killed: no pagehide, no close frames. */
  crash(): Promise<unknown>;
  /** Frozen (Chromium's page lifecycle) until `thaw()`. */
  hold(): Promise<unknown>;
  thaw(): Promise<unknown>;
  /** CPU slowed `rate` times (1: normal). */
  throttle(rate: number): Promise<unknown>;
  /** Makes this tab the visible one of its window; the others are hidden. */
  front(): Promise<unknown>;
  closed: boolean;
}

const page = (action: string, more: object = {}) => executeServerCommand('page', { action, ...more });

/** Another tab of the test's browser, holding a `<reconnecting-session share>` (fixtures/share.html). */
export async function openTab(wsUrl: string, name: string, query = ''): Promise<Tab> {
  const url = `/test/browser/fixtures/share.html?ws=${encodeURIComponent(wsUrl)}&tab=${name}${query}`;
  const { id } = (await page('open', { url })) as { id: number };
  const evaluate = <T>(expression: string) => page('eval', { id, expression }) as Promise<T>;
  const tab: Tab = {
    name,
    closed: false,
    log: () => evaluate<ShareLog>('window.log'),
    leading: () => evaluate<boolean>('window.leading()'),
    eval: evaluate,
    chatter: (ms) => evaluate(`window.chatter(${ms})`),
    hush: () => evaluate('window.hush()'),
    close: () => ((tab.closed = true), page('close', { id })),
    crash: () => ((tab.closed = true), page('crash', { id })),
    hold: () => page('hold', { id }),
    thaw: () => page('thaw', { id }),
    throttle: (rate) => page('throttle', { id, ms: rate }),
    front: () => page('front', { id }),
  };
  return tab;
}

export async function openTabs(wsUrl: string, count: number, query = ''): Promise<Tab[]> {
  const tabs: Tab[] = [];
  // One at a time: the first is the leader, and the order of joining is the test's, not the browser's.
  for (let i = 0; i < count; i++) tabs.push(await openTab(wsUrl, `t${i + 1}`, query));
  // Each new tab came to the front; the first, which leads, is brought back so that it stays visible and leading.
  await tabs[0]?.front();
  return tabs;
}

export async function closeTabs(tabs: Tab[]): Promise<void> {
  for (const t of tabs) if (!t.closed) await t.close().catch(() => {});
}

export const lastStatus = (log: ShareLog) => log.statuses.at(-1)?.[0];

export async function waitAllOpen(tabs: Tab[], timeout = 10_000): Promise<void> {
  for (const t of tabs.filter((t) => !t.closed)) {
    await waitUntil(async () => lastStatus(await t.log()) === 'open', `${t.name} open`, { timeout });
  }
}

export async function leaderOf(tabs: Tab[]): Promise<Tab> {
  let found: Tab | undefined;
  await waitUntil(async () => {
    const live = tabs.filter((t) => !t.closed);
    const leads = await Promise.all(live.map((t) => t.leading()));
    found = leads.filter(Boolean).length === 1 ? live[leads.indexOf(true)] : undefined;
    return !!found;
  }, 'exactly one tab holds an open socket');
  return found!;
}

/** Each tab's `{tab, n}` as the server received them: every n once, in order, 1…`upTo` (at least). */
export function perTab(received: unknown[]): Map<string, number[]> {
  const by = new Map<string, number[]>();
  for (const r of received as { tab?: string; n?: number }[]) {
    if (r?.tab === undefined) continue;
    if (!by.has(r.tab)) by.set(r.tab, []);
    by.get(r.tab)!.push(r.n!);
  }
  return by;
}

export const ticksOf = (log: ShareLog) => log.data.filter((d) => d.tick !== undefined).map((d) => d.tick!);
