import { html, render, type PropertyValues, type RenderOptions, type RootPart } from 'lit';
import type { SessionDetail, StatusDetail } from './client/types.js';
import { OverlayController } from './overlay/overlay-controller.js';
import { ReconnectingSessionBase, type SharedConnectionFactory } from './reconnecting-session-base.js';
import { SharedClient, canShare } from './client/shared-client.js';
import { styles } from './reconnecting-session.styles.js';

/**
 * Keeps a page attached to its server session through drops, sleep and restarts.
 *
 * @tag reconnecting-session
 * @fires {SessionStatusEvent} session-status - every status change and newly scheduled attempt
 * @fires {SessionMessageEvent} session-message - data from the server
 * @fires {SessionErrorEvent} session-error - a problem the element survived
 * @fires {SessionFailedEvent} session-failed - automatic attempts exhausted or a fatal close code
 * @fires {SessionResumedEvent} session-resumed - session mode: the old session continued
 * @fires {SessionNewEvent} session-new - session mode: a new session started, with the reason
 * @fires {SessionRecoveredEvent} session-recovered - the outage report when the connection is back
 * @fires {SessionRetryEvent} session-retry - the retry button was activated; cancelable
 * @fires {SessionReloadEvent} session-reload - the reload button of the expired notice was activated; cancelable
 * @fires {SessionSignInEvent} session-signin - the Sign in button of the signed-out notice was activated; cancelable
 * @fires {SessionDrainEvent} session-drain - the buffered amount fell to half the high-water mark after reaching it
 * @slot - the application; the element does not change its layout
 * @slot reconnecting - replaces the text shown while reconnecting (the countdown stays)
 * @slot offline - replaces the text shown while the browser is offline
 * @slot failed - replaces the text shown once automatic attempts are exhausted
 * @slot signed-out - replaces the text shown when the server refused the credential or `auth` failed
 * @slot disconnected - replaces the text shown when the connection closed and will not come back by itself
 * @slot expired - replaces the text shown when the session could not be resumed
 * @slot reconnected - replaces the short confirmation shown after a visible outage
 * @csspart overlay - the notification box
 * @csspart backdrop - the dimmed layer behind a modal notification
 * @csspart title - a modal's heading, which names the dialog
 * @csspart message - the message line (holds the named slot)
 * @csspart countdown - "Reconnecting in 4 s…"
 * @csspart attempt - "Attempt 2 of 6"
 * @csspart reason - the server's close reason on failure (as text)
 * @csspart spinner - the activity indicator
 * @csspart retry-button - "Retry now" / "Retry" / "Reconnect"
 * @csspart reload-button - "Reload" on the expired notice
 * @csspart dismiss-button - "Dismiss" on the expired notice
 * @csspart sign-in-button - "Sign in" on the signed-out notice
 * @cssprop --reconnecting-session-overlay-background - notification background
 * @cssprop --reconnecting-session-overlay-color - notification text colour
 * @cssprop --reconnecting-session-overlay-muted-color - secondary text colour
 * @cssprop --reconnecting-session-overlay-border - notification border
 * @cssprop --reconnecting-session-accent-color - buttons, spinner and the accent stripe
 * @cssprop --reconnecting-session-accent-text-color - text on accent buttons
 * @cssprop --reconnecting-session-danger-color - accent stripe on failure
 * @cssprop --reconnecting-session-success-color - accent stripe on reconnection
 * @cssprop --reconnecting-session-warning-color - accent stripe of the expired notice
 * @cssprop --reconnecting-session-overlay-radius - corner radius
 * @cssprop --reconnecting-session-overlay-shadow - box shadow
 * @cssprop --reconnecting-session-overlay-padding - inner spacing
 * @cssprop --reconnecting-session-overlay-font - font shorthand
 * @cssprop --reconnecting-session-overlay-max-width - maximum width
 * @cssprop --reconnecting-session-backdrop-color - modal backdrop colour
 * @cssprop --reconnecting-session-z-index - stacking order of the overlay
 */
export class ReconnectingSessionElement extends ReconnectingSessionBase {
  static override styles = styles;
  static override shared: SharedConnectionFactory = (config, delegate, key) =>
    canShare() ? new SharedClient(config, delegate, key) : null;

  readonly #overlay = new OverlayController(this);
  readonly #renderOptions: RenderOptions = { host: this };
  #part: RootPart | undefined;

  protected override statusChanged(detail: StatusDetail): void {
    this.#overlay.statusChanged(detail);
  }

  protected override sessionChanged(detail: SessionDetail): void {
    this.#overlay.sessionChanged(detail);
  }

  protected override unloadingChanged(unloading: boolean): void {
    this.#overlay.unloadingChanged(unloading);
  }

  /** The application through the default slot (inert under a modal), then the overlay. No side effects. */
  protected render() {
    return html`<div class="app" ?inert=${this.#overlay.blocking}><slot></slot></div>
      ${this.#overlay.render()}`;
  }

  // What LitElement adds to ReactiveElement, which the shell must stay (the no-overlay bundle carries no
  // lit-html): render() drawn by lit-html into the shadow root, and async directives told of (dis)connection.
  // A shell mixin over either base would let this class extend LitElement, but its declarations cannot be
  // emitted (TS4094 on lit's protected members) without restating the element's API by hand.
  protected override update(changed: PropertyValues<this>): void {
    const value = this.render();
    if (!this.hasUpdated) this.#renderOptions.isConnected = this.isConnected;
    super.update(changed);
    this.#part = render(value, this.renderRoot, this.#renderOptions);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#part?.setConnected(true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#part?.setConnected(false);
  }
}
