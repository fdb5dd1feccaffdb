import { pino, type Logger } from 'pino';
import type { Config } from '../config.ts';

export type { Logger };

/** Paths that could hold a credential; pino replaces them wherever they appear in a log record. */
const REDACT = [
  'token',
  '*.token',
  'auth',
  '*.auth',
  'handshake.auth',
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'secret',
  '*.secret',
];

/** JSON logs on stdout, one line per record, with the node id on every line. */
export function createLogger(options: { level: Config['logLevel']; nodeId: string }): Logger {
  return pino({
    level: options.level,
    base: { node: options.nodeId },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
