/** Input rules for the chat domain; each failure names the offending field. */
import { z } from 'zod';

/**
 * Text PostgreSQL can store as sent: no NUL characters, and no lone UTF-16 surrogates (which
 * could not survive the trip to UTF-8 byte for byte).
 */
// eslint-disable-next-line no-control-regex -- NUL is precisely what this rule refuses.
const NOT_STORABLE = /[\u0000\uD800-\uDFFF]/u;
const storableText = () =>
  z.string().refine((text) => !NOT_STORABLE.test(text), 'contains characters that are not allowed');

export const channelNameRule = storableText()
  .trim()
  .min(1, 'must not be empty')
  .max(80, 'must be at most 80 characters');

/** An empty topic means "no topic". */
export const topicRule = storableText()
  .trim()
  .max(250, 'must be at most 250 characters')
  .transform((topic) => topic || null);

/** Moderation judges the content; this only guards what the database can hold. */
export const bodyRule = storableText();

export const clientMessageIdRule = storableText()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters');

export const MAX_INITIAL_MEMBERS = 100;
