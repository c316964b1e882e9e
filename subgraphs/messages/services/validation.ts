/** Input rules for the chat domain; each failure names the offending field. */
import { z } from 'zod';

// Text no column can hold (NUL, unpaired surrogates) is refused for every argument, before
// these rules run (kit/storable-text.ts).
export const channelNameRule = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(80, 'must be at most 80 characters');

/** An empty topic means "no topic". */
export const topicRule = z
  .string()
  .trim()
  .max(250, 'must be at most 250 characters')
  .transform((topic) => topic || null);

export const clientMessageIdRule = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters');

export const MAX_INITIAL_MEMBERS = 100;
