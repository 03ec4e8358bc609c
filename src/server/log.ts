/**
 * The CLI's log lines: text for a person, or one JSON object per line for a log shipper. Plain JSON lines rather
 * than pino: the server logs a handful of rare events (never per message), so a logger's speed buys nothing, and
 * the CLI would have to carry it as a dependency. Callers pass only fields safe to keep (never a token, a
 * credential or a message's content), so nothing needs redacting afterwards.
 */
export type LogFormat = 'text' | 'json';
export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  /** `text` is the line a person reads; `fields` are the JSON line's data (text lines leave them out). */
  log(level: LogLevel, event: string, text: string, fields?: LogFields): void;
}

interface Streams {
  out: (line: string) => void;
  err: (line: string) => void;
}

const stdio: Streams = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export function createLogger(format: LogFormat, streams: Streams = stdio): Logger {
  return {
    log(level, event, text, fields = {}) {
      const write = level === 'info' ? streams.out : streams.err;
      if (format === 'text') return write(text);
      write(JSON.stringify({ time: new Date().toISOString(), level, event, msg: text, ...fields }));
    },
  };
}
