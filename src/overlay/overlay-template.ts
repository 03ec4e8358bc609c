/** The overlay's markup: one view at a time, texts as text (never HTML), slots to replace each message. */
import { html, nothing, type TemplateResult } from 'lit';
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

function countdown(detail: StatusDetail, now: number, firstConnect: boolean): TemplateResult {
  const verb = firstConnect ? 'Trying again' : 'Reconnecting';
  // The number keeps the width of the wait's first value (tabular digits), so the box does not shrink as it ticks.
  // Set through the `style` property (CSSOM, allowed by a strict CSP as styleMap is) rather than the attribute;
  // it spares the bundle lit's styleMap directive.
  const digits = String(Math.ceil((detail.delayMs ?? 0) / 1000)).length;
  const label =
    detail.nextAttemptAt === null
      ? `${firstConnect ? 'Connecting' : 'Reconnecting'}…`
      : html`${verb} in
          <span class="seconds" .style=${`min-width:${digits}ch`}>${secondsLeft(detail.nextAttemptAt, now)}</span> s…`;
  const attempt =
    detail.attempt > 0 ? html`<span part="attempt">Attempt ${detail.attempt} of ${detail.maxAttempts}</span>` : nothing;
  return html`<p class="detail" id="detail"><span part="countdown">${label}</span> ${attempt}</p>`;
}

function reason(detail: StatusDetail | null): TemplateResult | typeof nothing {
  if (!detail?.reason || detail.cause === 'manual') return nothing;
  return html`<p class="detail" id="detail" part="reason">${detail.reason}</p>`;
}

const RETRY_LABELS: Partial<Record<OverlayView, string>> = {
  reconnecting: 'Retry now',
  offline: 'Retry now',
  failed: 'Retry',
  disconnected: 'Reconnect',
};

function actions(r: OverlayRender, busy: boolean): TemplateResult | typeof nothing {
  const label = RETRY_LABELS[r.view];
  // One template for every retry label, so the button (and keyboard focus on it) survives failed → reconnecting.
  // aria-disabled rather than disabled while an attempt runs: a disabled button would drop that focus.
  if (label) {
    return html`<div class="actions">
      <button
        part="retry-button"
        class="primary"
        type="button"
        aria-disabled=${busy ? 'true' : 'false'}
        @click=${busy ? null : r.onRetry}
      >
        ${label}
      </button>
    </div>`;
  }
  if (r.view !== 'expired') return nothing;
  return html`<div class="actions">
    <button part="reload-button" class="primary" type="button" @click=${r.onReload}>Reload</button>
    <button part="dismiss-button" type="button" @click=${r.onDismiss}>Dismiss</button>
  </div>`;
}

export function renderOverlay(r: OverlayRender): TemplateResult | typeof nothing {
  if (r.view === 'none' || r.mode === 'none') return nothing;
  const modal = r.mode === 'modal' && r.view !== 'reconnected';
  // A modal's confirmation stays where the modal was rather than jumping to a corner.
  const position = r.mode === 'modal' ? 'center' : r.position;
  const detail =
    r.view === 'reconnecting' && r.detail
      ? countdown(r.detail, r.now, r.firstConnect)
      : r.view === 'failed'
        ? reason(r.detail)
        : nothing;
  const busy = r.view === 'reconnecting' && r.detail?.nextAttemptAt === null;
  return html`
    ${modal ? html`<div part="backdrop" class="backdrop"></div>` : nothing}
    <div
      part="overlay"
      class="overlay ${position} ${r.view} ${modal ? 'modal' : 'toast'}"
      role=${modal ? 'alertdialog' : 'region'}
      aria-label=${modal ? nothing : 'Connection status'}
      aria-modal=${modal ? 'true' : nothing}
      aria-labelledby=${modal ? 'title' : nothing}
      aria-describedby=${modal ? (detail !== nothing ? 'message detail' : 'message') : nothing}
      aria-busy=${busy ? 'true' : nothing}
      tabindex=${modal ? '-1' : nothing}
      @focusin=${r.onFocusIn}
    >
      ${r.view === 'reconnecting' || r.view === 'offline' ? html`<span part="spinner" class="spinner" aria-hidden="true"></span>` : nothing}
      <div class="body">
        ${modal ? html`<h2 class="title" id="title" part="title">${TITLES[r.view]}</h2>` : nothing}
        <p class="message" id="message" part="message">
          <slot name=${r.view} @slotchange=${r.onSlotChange}>${r.text}</slot>
        </p>
        ${detail}
      </div>
      ${actions(r, busy)}
    </div>
  `;
}
