import { unsafeCSS } from 'lit';

// lit's css`` checks the values interpolated into a template, and these styles have none: the literal
// through unsafeCSS is the same stylesheet, and leaves that check and its message out of the bundle
// (167 B gzip). The name keeps the build's template minifier working on it.
const css = (strings: TemplateStringsArray) => unsafeCSS(strings[0]);

export const styles = css`
  :host {
    display: contents;
    --_bg: var(--reconnecting-session-overlay-background, #ffffff);
    --_fg: var(--reconnecting-session-overlay-color, #1f2328);
    --_muted: var(--reconnecting-session-overlay-muted-color, #59636e);
    --_accent: var(--reconnecting-session-accent-color, #0969da);
    --_accent-fg: var(--reconnecting-session-accent-text-color, #ffffff);
    --_danger: var(--reconnecting-session-danger-color, #cf222e);
    --_success: var(--reconnecting-session-success-color, #1a7f37);
    --_warning: var(--reconnecting-session-warning-color, #9a6700);
    --_border: var(--reconnecting-session-overlay-border, 1px solid #d1d9e0);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_bg: var(--reconnecting-session-overlay-background, #2a313c);
      --_fg: var(--reconnecting-session-overlay-color, #f0f6fc);
      --_muted: var(--reconnecting-session-overlay-muted-color, #b7bdc8);
      --_accent: var(--reconnecting-session-accent-color, #4493f8);
      --_accent-fg: var(--reconnecting-session-accent-text-color, #0d1117);
      --_danger: var(--reconnecting-session-danger-color, #ff7b72);
      --_success: var(--reconnecting-session-success-color, #56d364);
      --_warning: var(--reconnecting-session-warning-color, #d29922);
      --_border: var(--reconnecting-session-overlay-border, 1px solid #3d444d);
    }
  }
  :host([hidden]) {
    display: none;
  }
  .app {
    display: contents;
  }
  .backdrop {
    position: fixed;
    inset: 0;
    background: var(--reconnecting-session-backdrop-color, rgb(0 0 0 / 0.45));
    z-index: var(--reconnecting-session-z-index, 2147483000);
  }
  .overlay {
    position: fixed;
    z-index: var(--reconnecting-session-z-index, 2147483000);
    box-sizing: border-box;
    display: flex;
    /* The buttons go below a message too long for one line, rather than squeezing it into a column. */
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem 0.75rem;
    width: max-content;
    max-width: min(var(--reconnecting-session-overlay-max-width, 26rem), calc(100vw - 2rem));
    max-height: calc(100vh - 2rem);
    max-height: calc(100dvh - 2rem);
    overflow-y: auto;
    overflow-wrap: break-word;
    padding: var(--reconnecting-session-overlay-padding, 0.75rem 1rem);
    border: var(--_border);
    border-left: 4px solid var(--_accent);
    border-radius: var(--reconnecting-session-overlay-radius, 10px);
    background: var(--_bg);
    color: var(--_fg);
    box-shadow: var(--reconnecting-session-overlay-shadow, 0 8px 24px rgb(0 0 0 / 0.18));
    font: var(--reconnecting-session-overlay-font, 500 0.9375rem/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif);
    animation: enter 160ms ease-out;
  }
  .overlay.failed {
    border-left-color: var(--_danger);
  }
  .overlay.reconnected {
    border-left-color: var(--_success);
  }
  /* Not routine: the page has to be reloaded, or the person signed in again. */
  .overlay.expired,
  .overlay.signed-out {
    border-left-color: var(--_warning);
  }
  .title {
    margin: 0 0 0.15rem;
    font-size: 1.0625em;
    font-weight: 600;
  }
  .bottom-right {
    right: 1rem;
    bottom: 1rem;
  }
  .bottom-left {
    left: 1rem;
    bottom: 1rem;
  }
  .top-right {
    right: 1rem;
    top: 1rem;
  }
  .top-left {
    left: 1rem;
    top: 1rem;
  }
  /* Centred with auto margins, not left: 50% + translate, which halves the width the box may take. */
  .top,
  .bottom,
  .center,
  .overlay.modal {
    left: 0;
    right: 0;
    margin-inline: auto;
  }
  .top {
    top: 1rem;
  }
  .bottom {
    bottom: 1rem;
  }
  .center,
  .overlay.modal {
    top: 0;
    bottom: 0;
    height: fit-content;
    margin-block: auto;
  }
  .body {
    flex: 1 1 auto;
    min-width: 0;
  }
  p {
    margin: 0;
  }
  .detail {
    margin-top: 0.15rem;
    color: var(--_muted);
    font-size: 0.875em;
    font-weight: 400;
  }
  [part='countdown'] {
    font-variant-numeric: tabular-nums;
  }
  .seconds {
    display: inline-block;
    text-align: end;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    margin-inline-start: auto;
  }
  /* 36 px tall, with a 44 px hit area (::before) so a thumb does not miss it. */
  button {
    position: relative;
    min-height: 2.25rem;
    min-width: 2.75rem;
    font: inherit;
    font-size: 0.875em;
    padding: 0.35rem 0.8rem;
    border-radius: 6px;
    border: var(--_border);
    background: transparent;
    color: inherit;
    cursor: pointer;
  }
  /* Centred on the button, 44 px tall whatever its border: insets would count from inside the border. */
  button::before {
    content: '';
    position: absolute;
    left: 0;
    right: 0;
    top: 50%;
    height: 2.75rem;
    translate: 0 -50%;
  }
  button.primary {
    border-color: transparent;
    background: var(--_accent);
    color: var(--_accent-fg);
  }
  button[aria-disabled='true'] {
    opacity: 0.6;
    cursor: progress;
  }
  [part='attempt'] {
    white-space: nowrap;
  }
  /* :focus, not only :focus-visible: a modal focuses its first button by script when it opens. */
  button:focus {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .spinner {
    flex-shrink: 0;
    width: 1rem;
    height: 1rem;
    border-radius: 50%;
    border: 2px solid color-mix(in srgb, var(--_accent) 25%, transparent);
    border-top-color: var(--_accent);
    animation: spin 0.9s linear infinite;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  /* Slide rather than fade: text stays at full contrast from the first frame. */
  @keyframes enter {
    from {
      translate: 0 0.75rem;
    }
  }
  /* Forced colours paint every border one colour, so a turning ring looked static: use two system colours. */
  @media (forced-colors: active) {
    .spinner {
      forced-color-adjust: none;
      border-color: GrayText;
      border-top-color: CanvasText;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .overlay,
    .spinner {
      animation: none;
    }
  }
`;
