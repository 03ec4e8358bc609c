/**
 * Entry of the no-overlay bundle, for pages that draw their own connection UI: the same tag, attributes,
 * methods and events, without the overlay controller, its markup, styles, live regions and timers.
 */
import { unsafeCSS } from 'lit';
import { ReconnectingSessionBase } from './reconnecting-session-base.js';

/** `<reconnecting-session>` without the overlay: its shadow root only passes the application through. */
export class ReconnectingSessionElement extends ReconnectingSessionBase {
  static override styles = unsafeCSS(':host{display:contents}:host([hidden]){display:none}');

  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    const root = super.createRenderRoot();
    root.append(document.createElement('slot'));
    return root;
  }
}

/** Registers the element unless a copy of it (or another element) already holds the tag. */
export function defineReconnectingSession(tag = 'reconnecting-session'): void {
  if (!customElements.get(tag)) customElements.define(tag, class extends ReconnectingSessionElement {});
}

if (!customElements.get('reconnecting-session'))
  customElements.define('reconnecting-session', ReconnectingSessionElement);

export * from './events.js';
export type * from './client/types.js';
export type { Payload } from './client/payload.js';
export { SessionClient } from './client/session-client.js';
export { OutboxFullError } from './client/outbox.js';
export { PROTOCOL_VERSION, type NewSessionReason } from './protocol/frames.js';
export { CloseCode, isFatalCloseCode } from './protocol/close-codes.js';
