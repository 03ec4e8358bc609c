/** The element's events: `Event` subclasses that bubble and cross shadow roots, each with a typed `detail`. */
import type {
  DrainDetail,
  ErrorDetail,
  MessageDetail,
  NewSessionDetail,
  RecoveredDetail,
  ResumedDetail,
  StatusDetail,
} from './client/types.js';
import type { NewSessionReason } from './protocol/frames.js';

// Shared: one dictionary per event would be an allocation per message at high rates.
const INIT: EventInit = { bubbles: true, composed: true };
const CANCELABLE: EventInit = { bubbles: true, composed: true, cancelable: true };

abstract class DetailEvent<T> extends Event {
  readonly detail: T;
  constructor(type: string, detail: T, cancelable = false) {
    super(type, cancelable ? CANCELABLE : INIT);
    this.detail = detail;
  }
}

/** Fired on every status change and on every newly scheduled attempt. */
export class SessionStatusEvent extends DetailEvent<StatusDetail> {
  static readonly type = 'session-status';
  constructor(detail: StatusDetail) {
    super(SessionStatusEvent.type, detail);
  }
}

/** Fired once automatic attempts are exhausted, or at once for a fatal close code. */
export class SessionFailedEvent extends DetailEvent<StatusDetail> {
  static readonly type = 'session-failed';
  constructor(detail: StatusDetail) {
    super(SessionFailedEvent.type, detail);
  }
}

/** Application data from the server, exactly once and in order in session mode. */
export class SessionMessageEvent extends DetailEvent<MessageDetail> {
  static readonly type = 'session-message';
  constructor(detail: MessageDetail) {
    super(SessionMessageEvent.type, detail);
  }
}

/** Something went wrong that the element survived: a malformed frame, a full queue, a server error. */
export class SessionErrorEvent extends DetailEvent<ErrorDetail> {
  static readonly type = 'session-error';
  constructor(detail: ErrorDetail) {
    super(SessionErrorEvent.type, detail);
  }
}

/** Session mode: the old session continued after a reconnect. */
export class SessionResumedEvent extends DetailEvent<ResumedDetail> {
  static readonly type = 'session-resumed';
  constructor(detail: ResumedDetail) {
    super(SessionResumedEvent.type, detail);
  }
}

/** Session mode: a new session started; `reason` says why an old one could not be resumed. */
export class SessionNewEvent extends DetailEvent<NewSessionDetail> {
  static readonly type = 'session-new';
  constructor(detail: NewSessionDetail) {
    super(SessionNewEvent.type, detail);
  }
}

/** The outage report, fired when the connection is open again after being lost. */
export class SessionRecoveredEvent extends DetailEvent<RecoveredDetail> {
  static readonly type = 'session-recovered';
  constructor(detail: RecoveredDetail) {
    super(SessionRecoveredEvent.type, detail);
  }
}

/** The retry button was activated; cancel it (`preventDefault()`) to handle the retry yourself. */
export class SessionRetryEvent extends DetailEvent<{ status: StatusDetail['status'] }> {
  static readonly type = 'session-retry';
  constructor(detail: { status: StatusDetail['status'] }) {
    super(SessionRetryEvent.type, detail, true);
  }
}

/** The reload button of the expired-session notice was activated; cancel it to restore state without a reload. */
export class SessionReloadEvent extends DetailEvent<{ reason: NewSessionReason | null }> {
  static readonly type = 'session-reload';
  constructor(detail: { reason: NewSessionReason | null }) {
    super(SessionReloadEvent.type, detail, true);
  }
}

/**
 * The Sign in button of the signed-out notice was activated (`code`: the close code that refused the credential, null
 * when the `auth` function failed); cancel it to sign the person in without `location.reload()`.
 */
export class SessionSignInEvent extends DetailEvent<{ code: number | null }> {
  static readonly type = 'session-signin';
  constructor(detail: { code: number | null }) {
    super(SessionSignInEvent.type, detail, true);
  }
}

/** The buffered amount fell to half the high-water mark after a `send()` took it to the mark: send more. */
export class SessionDrainEvent extends DetailEvent<DrainDetail> {
  static readonly type = 'session-drain';
  constructor(detail: DrainDetail) {
    super(SessionDrainEvent.type, detail);
  }
}

declare global {
  interface HTMLElementEventMap {
    'session-status': SessionStatusEvent;
    'session-failed': SessionFailedEvent;
    'session-message': SessionMessageEvent;
    'session-error': SessionErrorEvent;
    'session-resumed': SessionResumedEvent;
    'session-new': SessionNewEvent;
    'session-recovered': SessionRecoveredEvent;
    'session-retry': SessionRetryEvent;
    'session-reload': SessionReloadEvent;
    'session-signin': SessionSignInEvent;
    'session-drain': SessionDrainEvent;
  }
}
