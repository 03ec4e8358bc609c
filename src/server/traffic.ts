/**
 * Message counts a server keeps whether or not anyone reads them: four additions per message are cheaper than
 * any check for whether metrics are on, and the metrics module reads them only when it is scraped.
 */
export class Traffic {
  /** Message frames received from clients (a client's resend after a resume counts again). */
  messagesIn = 0;
  bytesIn = 0;
  /** Messages the application sent, each once (what a resume replays is not counted again). */
  messagesOut = 0;
  bytesOut = 0;
}
