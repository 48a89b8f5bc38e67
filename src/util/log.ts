import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** Paths pino redacts anywhere in a log object: secrets never reach a log line. */
const REDACT = [
  'apiKey', '*.apiKey', 'api_key', '*.api_key', 'authorization', '*.authorization', 'headers.authorization',
  'headers["x-api-key"]', 'headers["x-goog-api-key"]', 'token', '*.token', 'access_token', '*.access_token',
  'refresh_token', '*.refresh_token', 'secret', '*.secret',
];

export function createLogger(opts: { debug?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: opts.debug ? 'debug' : (process.env.CLIPROXY_LOG_LEVEL ?? 'info'),
      base: undefined,
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    (opts.destination as pino.DestinationStream | undefined) ?? pino.destination({ sync: false }),
  );
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Show the first and last 4 characters of a secret, for labels that must identify without revealing. */
export function maskSecret(secret: string): string {
  if (secret.length <= 10) return '***';
  return `${secret.slice(0, 4)}...${secret.slice(-4)}`;
}
