/**
 * Moderation of message bodies, applied before anything is stored. The content rules are pure
 * functions of the text; flooding is counted in Redis, so the limit holds across replicas.
 * A refusal is CONTENT_REJECTED with a machine-readable `reason` in `extensions`. Moderation only
 * judges: an accepted body is stored exactly as sent.
 */
import { createHash } from 'node:crypto';
import { clientError, ErrorCode } from '../../../platform/errors';
import type { RedisConnections } from '../../../platform/redis';
import { createSlidingWindow } from '../../../platform/sliding-window';
import type { ModerationSettings } from '../env';

export type RejectionReason = 'EMPTY' | 'TOO_LONG' | 'BLOCKED_WORD' | 'LINK_SPAM' | 'FLOODING';

export const contentRejected = (
  reason: RejectionReason,
  message: string,
  details: Record<string, unknown> = {},
) => clientError(ErrorCode.CONTENT_REJECTED, message, { reason, ...details });

/**
 * The text as moderation compares it: letter case, accents, compatibility forms (e.g.
 * full-width letters) and invisible formatting characters (e.g. zero-width spaces) do not count.
 */
export function foldText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\p{M}\p{Cf}]/gu, '');
}

/**
 * What shows nothing on its own: spaces, invisible formatting and other default-ignorable
 * characters (zero-width, Hangul fillers), combining marks with nothing to combine with, and the
 * blank braille pattern.
 */
const BLANK = /[\s\p{Cf}\p{Default_Ignorable_Code_Point}\p{M}\u2800]/gu;

const words = (text: string): string[] => foldText(text).match(/[\p{L}\p{N}]+/gu) ?? [];

const LINK = /(?:\bhttps?:\/\/|\bwww\.)[^\s<>]+/giu;

/** Unicode code points: what a person counts as characters, and a bound on storage. */
function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}

/** The content rules, compiled once from the settings; `check` throws CONTENT_REJECTED. */
export function createContentRules(settings: ModerationSettings) {
  // Each blocked entry is a sequence of words, matched on whole words: "darn" refuses "DÁRN!"
  // but not "darning".
  const blocked = settings.blockedWords.map(words).filter((phrase) => phrase.length > 0);
  const containsBlocked = (body: string) => {
    const tokens = words(body);
    return blocked.some((phrase) =>
      tokens.some((_, start) => phrase.every((word, i) => tokens[start + i] === word)),
    );
  };
  return {
    check(body: string): void {
      if (body.replace(BLANK, '') === '') {
        throw contentRejected('EMPTY', 'A message cannot be empty.');
      }
      if (codePointLength(body) > settings.maxMessageLength) {
        throw contentRejected(
          'TOO_LONG',
          `A message can have at most ${settings.maxMessageLength} characters.`,
          { maxLength: settings.maxMessageLength },
        );
      }
      if (containsBlocked(body)) {
        throw contentRejected('BLOCKED_WORD', 'This message contains a blocked word.');
      }
      const links = body.match(LINK)?.length ?? 0;
      if (links > settings.maxLinks) {
        throw contentRejected(
          'LINK_SPAM',
          `A message can contain at most ${settings.maxLinks} links.`,
          { maxLinks: settings.maxLinks },
        );
      }
    },
  };
}

export type ContentRules = ReturnType<typeof createContentRules>;

export interface FloodGuard {
  /**
   * Counts one posting of `body` by `authorId`, or throws FLOODING when that author already
   * posted the same body `floodMaxRepeats` times within the window. `attemptId` identifies the
   * posting: retries of one message (same clientMessageId) count once, and are never refused
   * once counted.
   */
  admit(authorId: string, body: string, attemptId: string): Promise<Admission>;
}

export interface Admission {
  /**
   * The attempt was stored with `storedBody` by a concurrent retry of it (same clientMessageId):
   * if that is not the same body, this admission's count stands for nothing stored, and goes.
   */
  storedAs(storedBody: string): Promise<void>;
}

export function createFloodGuard(
  redis: RedisConnections,
  settings: ModerationSettings,
): FloodGuard {
  const windowMs = settings.floodWindowSeconds * 1000;
  // One window per author and body (platform/sliding-window.ts): a refusal writes nothing, and
  // a retry of a posting counted (same attempt id) is admitted again.
  const window = createSlidingWindow(redis.commands);
  // "Same body" as a person sees it: case, accents and spacing changes do not evade it.
  const keyOf = (authorId: string, body: string) => {
    const digest = createHash('sha256')
      .update(foldText(body).replace(/\s+/gu, ' ').trim())
      .digest('base64url');
    return `${redis.prefix}messages:flood:${authorId}:${digest}`;
  };
  return {
    async admit(authorId, body, attemptId) {
      const key = keyOf(authorId, body);
      const now = Date.now();
      const { admitted, oldest } = await window.count(key, {
        member: attemptId,
        now,
        windowMs,
        max: settings.floodMaxRepeats,
      });
      if (!admitted) {
        throw contentRejected(
          'FLOODING',
          'You posted this same message too often; wait before posting it again.',
          { retryAfter: Math.max(1, Math.ceil(((oldest ?? now) + windowMs - now) / 1000)) },
        );
      }
      return {
        async storedAs(storedBody) {
          if (keyOf(authorId, storedBody) !== key) await window.forget(key, attemptId);
        },
      };
    },
  };
}
