/** The overlay's markup: one view at a time, texts as text (never HTML), slots to replace each message. */
import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { StatusDetail } from '../client/types.js';
import type { OverlayMode, OverlayPosition } from './overlay-config.js';
import { secondsLeft, type OverlayView } from './overlay-state.js';
import type { VisibleView } from './overlay-texts.js';

/** A modal's heading, which names the dialog (a toast is announced by its live region instead). */
const TITLES: Record<VisibleView, string> = {
  reconnecting: 'Reconnecting',
  offline: 'Offline',
  failed: 'Connection failed',
  'signed-out': 'Signed out',
  disconnected: 'Disconnected',
  expired: 'Session expired',
  reconnected: 'Reconnected',
};

export interface OverlayRender {
  view: OverlayView;
  mode: OverlayMode;
  position: OverlayPosition;
  detail: StatusDetail | null;
  now: number;
  text: string;
  onRetry: () => void;
  onReload: () => void;
  onSignIn: () => void;
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
  // Set through the `style` property (CSSOM, allowed by a strict CSP) rather than the attribute.
  const digits = String(Math.ceil((detail.delayMs ?? 0) / 1000)).length;
  const label =
    detail.nextAttemptAt === null
      ? `${firstConnect ? 'Connecting' : 'Reconnecting'}…`
      : html`${verb} in
          <span class="seconds" .style=${`min-width:${digits}ch`}>${secondsLeft(detail.nextAttemptAt, now)}</span> s…`;
  const attempt = detail.attempt > 0 ? `Attempt ${detail.attempt} of ${detail.maxAttempts}` : null;
  return html`<p class="detail" id="detail">
    <span part="countdown">${label}</span> ${attempt === null ? nothing : html`<span part="attempt">${attempt}</span>`}
  </p>`;
}

function reason(detail: StatusDetail | null): TemplateResult | null {
  if (!detail?.reason || detail.cause === 'manual') return null;
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
  // One button for every retry label, so it (and keyboard focus on it) survives failed → reconnecting.
  // aria-disabled rather than disabled while an attempt runs: a disabled button would drop that focus.
  if (label) {
    return html`<div class="actions">
      <button
        part="retry-button"
        type="button"
        class="primary"
        aria-disabled=${busy ? 'true' : 'false'}
        @click=${busy ? nothing : r.onRetry}
      >
        ${label}
      </button>
    </div>`;
  }
  // Signing in again is the only way on: no retry, no countdown.
  if (r.view === 'signed-out') {
    return html`<div class="actions">
      <button part="sign-in-button" type="button" class="primary" @click=${r.onSignIn}>Sign in</button>
    </div>`;
  }
  if (r.view !== 'expired') return nothing;
  return html`<div class="actions">
    <button part="reload-button" type="button" class="primary" @click=${r.onReload}>Reload</button>
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
        : null;
  const busy = r.view === 'reconnecting' && r.detail?.nextAttemptAt === null;
  // Every class on the box is set here, so a plain attribute does what classMap would, 300 B lighter in the bundle.
  return html`${modal ? html`<div part="backdrop" class="backdrop"></div>` : nothing}
    <div
      part="overlay"
      class="overlay ${position} ${r.view} ${modal ? 'modal' : 'toast'}"
      role=${modal ? 'alertdialog' : 'region'}
      aria-label=${ifDefined(modal ? undefined : 'Connection status')}
      aria-modal=${ifDefined(modal ? 'true' : undefined)}
      aria-labelledby=${ifDefined(modal ? 'title' : undefined)}
      aria-describedby=${ifDefined(modal ? (detail ? 'message detail' : 'message') : undefined)}
      aria-busy=${ifDefined(busy ? 'true' : undefined)}
      tabindex=${ifDefined(modal ? '-1' : undefined)}
      @focusin=${r.onFocusIn}
    >
      ${
        r.view === 'reconnecting' || r.view === 'offline'
          ? html`<span part="spinner" class="spinner" aria-hidden="true"></span>`
          : nothing
      }
      <div class="body">
        ${modal ? html`<h2 class="title" id="title" part="title">${TITLES[r.view]}</h2>` : nothing}
        <p class="message" id="message" part="message">
          <slot name=${r.view} @slotchange=${r.onSlotChange}>${r.text}</slot>
        </p>
        ${detail ?? nothing}
      </div>
      ${actions(r, busy)}
    </div>`;
}

/** What screen readers hear: polite for progress, assertive for failure and expiry (each region always present). */
export function liveRegions(polite: string, assertive: string): TemplateResult {
  const status = html`<div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${polite}</div>`;
  return html`${status}
    <div class="visually-hidden" role="alert" aria-live="assertive" aria-atomic="true">${assertive}</div>`;
}
