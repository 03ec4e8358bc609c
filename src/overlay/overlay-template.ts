/** The overlay's markup: one view at a time, texts as text (never HTML), slots to replace each message. */
import { h, type Attrs, type Child, type View } from './dom.js';
import type { StatusDetail } from '../client/types.js';
import type { OverlayMode, OverlayPosition } from './overlay-config.js';
import { secondsLeft, type OverlayView } from './overlay-state.js';

export type VisibleView = Exclude<OverlayView, 'none'>;

export const DEFAULT_TEXTS: Record<VisibleView, string> = {
  reconnecting: 'Connection lost.',
  offline: 'You are offline. Waiting for the network…',
  failed: 'Could not reconnect.',
  disconnected: 'Disconnected from the server.',
  expired: 'Your session has expired. Reload the page to continue.',
  reconnected: 'Reconnected.',
};

/** A modal's heading, which names the dialog (a toast is announced by its live region instead). */
const TITLES: Record<VisibleView, string> = {
  reconnecting: 'Reconnecting',
  offline: 'Offline',
  failed: 'Connection failed',
  disconnected: 'Disconnected',
  expired: 'Session expired',
  reconnected: 'Reconnected',
};

/** Default texts for a page that has never been connected, and for a server that said it is restarting (1012). */
export const FIRST_CONNECT_TEXTS = {
  reconnecting: 'Connecting to the server…',
  failed: 'Could not connect to the server.',
} as const;
export const RESTARTING_TEXT = 'The server is restarting.';

export interface OverlayRender {
  view: OverlayView;
  mode: OverlayMode;
  position: OverlayPosition;
  detail: StatusDetail | null;
  now: number;
  text: string;
  onRetry: () => void;
  onReload: () => void;
  onDismiss: () => void;
  /** Slotted text is what the live regions announce: a change of it re-renders them. */
  onSlotChange: () => void;
  onFocusIn: (e: FocusEvent) => void;
  /** The page has not been connected yet: "Trying again", not "Reconnecting". */
  firstConnect: boolean;
}

function countdown(detail: StatusDetail, now: number, firstConnect: boolean): View {
  const verb = firstConnect ? 'Trying again' : 'Reconnecting';
  // The number keeps the width of the wait's first value (tabular digits), so the box does not shrink as it ticks.
  // Set through the `style` property (CSSOM, allowed by a strict CSP) rather than the attribute.
  const digits = String(Math.ceil((detail.delayMs ?? 0) / 1000)).length;
  const label =
    detail.nextAttemptAt === null
      ? `${firstConnect ? 'Connecting' : 'Reconnecting'}…`
      : [
          `${verb} in `,
          h('span', { class: 'seconds', '.style': `min-width:${digits}ch` }, secondsLeft(detail.nextAttemptAt, now)),
          ' s…',
        ];
  return h(
    'p',
    { class: 'detail', id: 'detail' },
    h('span', { part: 'countdown' }, label),
    ' ',
    detail.attempt > 0 && h('span', { part: 'attempt' }, `Attempt ${detail.attempt} of ${detail.maxAttempts}`),
  );
}

function reason(detail: StatusDetail | null): View | null {
  if (!detail?.reason || detail.cause === 'manual') return null;
  return h('p', { class: 'detail', id: 'detail', part: 'reason' }, detail.reason);
}

const RETRY_LABELS: Partial<Record<OverlayView, string>> = {
  reconnecting: 'Retry now',
  offline: 'Retry now',
  failed: 'Retry',
  disconnected: 'Reconnect',
};

const button = (part: string, label: string, onClick: (() => void) | null, attrs: Attrs = {}) =>
  h('button', { part, type: 'button', ...attrs, '@click': onClick }, label);

function actions(r: OverlayRender, busy: boolean): View | null {
  const label = RETRY_LABELS[r.view];
  // One button for every retry label, so it (and keyboard focus on it) survives failed → reconnecting.
  // aria-disabled rather than disabled while an attempt runs: a disabled button would drop that focus.
  if (label) {
    return h(
      'div',
      { class: 'actions' },
      button('retry-button', label, busy ? null : r.onRetry, {
        class: 'primary',
        'aria-disabled': busy ? 'true' : 'false',
      }),
    );
  }
  if (r.view !== 'expired') return null;
  return h(
    'div',
    { class: 'actions' },
    button('reload-button', 'Reload', r.onReload, { class: 'primary' }),
    button('dismiss-button', 'Dismiss', r.onDismiss),
  );
}

export function renderOverlay(r: OverlayRender): Child {
  if (r.view === 'none' || r.mode === 'none') return null;
  const modal = r.mode === 'modal' && r.view !== 'reconnected';
  // A modal's confirmation stays where the modal was rather than jumping to a corner.
  const position = r.mode === 'modal' ? 'center' : r.position;
  const detail =
    r.view === 'reconnecting' && r.detail
      ? countdown(r.detail, r.now, r.firstConnect)
      : r.view === 'failed'
        ? reason(r.detail)
        : null;
  const busy = r.view === 'reconnecting' && r.detail?.nextAttemptAt === null;
  return [
    modal && h('div', { part: 'backdrop', class: 'backdrop' }),
    h(
      'div',
      {
        part: 'overlay',
        class: `overlay ${position} ${r.view} ${modal ? 'modal' : 'toast'}`,
        role: modal ? 'alertdialog' : 'region',
        'aria-label': modal ? null : 'Connection status',
        'aria-modal': modal && 'true',
        'aria-labelledby': modal && 'title',
        'aria-describedby': modal && (detail ? 'message detail' : 'message'),
        'aria-busy': busy && 'true',
        tabindex: modal && '-1',
        '@focusin': r.onFocusIn as (e: Event) => void,
      },
      (r.view === 'reconnecting' || r.view === 'offline') &&
        h('span', { part: 'spinner', class: 'spinner', 'aria-hidden': 'true' }),
      h(
        'div',
        { class: 'body' },
        modal && h('h2', { class: 'title', id: 'title', part: 'title' }, TITLES[r.view]),
        h(
          'p',
          { class: 'message', id: 'message', part: 'message' },
          h('slot', { name: r.view, '@slotchange': r.onSlotChange }, r.text),
        ),
        detail,
      ),
      actions(r, busy),
    ),
  ];
}
