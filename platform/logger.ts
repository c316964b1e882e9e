import pino from 'pino';

export type Logger = pino.Logger;

/**
 * JSON logs. Credentials never reach a log line: header and payload fields that carry them are
 * redacted wherever they appear.
 */
export function createLogger(
  options: { name: string; level: string },
  /** Where lines go: stdout unless given (tests capture them). */
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      redact: {
        paths: [
          'authorization',
          '*.authorization',
          '*.*.authorization',
          '["x-api-key"]',
          '*["x-api-key"]',
          '*.*["x-api-key"]',
          'password',
          '*.password',
          'refreshToken',
          '*.refreshToken',
          'accessToken',
          '*.accessToken',
          'secret',
          '*.secret',
          'apiKey',
          '*.apiKey',
          'credentials',
          '*.credentials',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination(1),
  );
}
