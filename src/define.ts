import { ReconnectingSessionElement } from './reconnecting-session.js';

/**
 * Registers the element unless a copy of it (or another element) already holds the tag.
 * @param {string} [tag] - the tag name to register, `reconnecting-session` by default
 */
export function defineReconnectingSession(tag = 'reconnecting-session'): void {
  if (!customElements.get(tag)) customElements.define(tag, class extends ReconnectingSessionElement {});
}

declare global {
  interface HTMLElementTagNameMap {
    'reconnecting-session': ReconnectingSessionElement;
  }
}
