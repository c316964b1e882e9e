/**
 * HTTP hardening shared by every service: OWASP's baseline response headers, and a CORS
 * allowlist for browsers on other origins. API responses get a CSP that allows nothing; the
 * GraphiQL page gets one that allows only its own origin (it has no inline script; its
 * components set inline styles).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const API_CSP = "default-src 'none'; frame-ancestors 'none'";
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface SecurityOptions {
  /** Origins allowed to call the API from a browser (exact matches, e.g. https://app.example.com). */
  corsOrigins: ReadonlySet<string>;
  /** Behind TLS: tell browsers to insist on HTTPS. */
  hsts: boolean;
}

/** The baseline headers, by name. */
export function securityHeaders(options: SecurityOptions): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'content-security-policy': API_CSP,
    ...(options.hsts ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

/** The baseline headers of each options object, built once: they are set on every response. */
const baselines = new WeakMap<SecurityOptions, [string, string][]>();

/** Sets the baseline headers; a page overrides the CSP with PAGE_CSP. */
export function setSecurityHeaders(res: ServerResponse, options: SecurityOptions): void {
  let baseline = baselines.get(options);
  if (!baseline) baselines.set(options, (baseline = Object.entries(securityHeaders(options))));
  for (const [name, value] of baseline) res.setHeader(name, value);
}

/**
 * What browser clients send: credentials, our request id, what satisfies CSRF prevention on a
 * GET (Apollo's two headers), W3C trace context, and Apollo Client's name and version; and
 * `accept`, which a browser asks leave for when its value is not CORS-safe — the multipart
 * subscription protocol's `multipart/mixed;subscriptionSpec="1.0"` is not (the quotes).
 */
const ALLOWED_HEADERS = [
  'accept',
  'content-type',
  'authorization',
  'x-api-key',
  'x-request-id',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'traceparent',
  'tracestate',
  'baggage',
  'apollographql-client-name',
  'apollographql-client-version',
].join(', ');

/**
 * Adds CORS headers for an allowed origin; answers its preflight itself (true when it did).
 * Other origins get no CORS headers, so browsers keep them out.
 */
export function handleCors(
  req: IncomingMessage,
  res: ServerResponse,
  options: SecurityOptions,
): boolean {
  const origin = req.headers.origin;
  if (!origin || !options.corsOrigins.has(origin)) return false;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  if (req.method !== 'OPTIONS') return false;
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-max-age': '600',
  });
  res.end();
  return true;
}
