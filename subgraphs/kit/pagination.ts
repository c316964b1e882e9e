/**
 * Relay cursor pagination over keyset queries. A cursor is an opaque, versioned encoding of the
 * sort key of the row it points at, so pages never skip or repeat rows when others are inserted
 * meanwhile, and no query needs OFFSET. Streams' cursors (kit/resumable.ts) are made here too.
 *
 * Versions: v1 is `["v1", ...key]`; v2, `["v2", tag, ...key]`, also names the stream or list the
 * cursor belongs to (CursorScope), so that one given to another is refused. v1 cursors, which
 * clients held before, are still read.
 */
import { createHash } from 'node:crypto';
import { badUserInput } from '../../platform/errors';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../platform/wire';
import { isUuid } from './ids';

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
}

export type CursorKey = (string | number)[];

/**
 * The stream or list a cursor belongs to (a channel's messages, a deployment's events, an
 * organization's node status changes…). A cursor made with a scope carries a short tag of it,
 * so that a cursor of one stream or list given to another is refused instead of being read as a
 * position there, which would pass over items without a word. The tag is a hash (nothing of the
 * scope can be read back from it) and short: 54 bits tell mix-ups apart, not attackers, and a
 * cursor is no secret.
 */
export interface CursorScope {
  /** 9 base64url characters of sha256(kind, id). */
  readonly tag: string;
  /**
   * base64url of the cursor's JSON up to its key, `["v2","<tag>",`: 18 bytes, a multiple of 3,
   * so base64url(prefix + rest) is this followed by base64url(rest), and encoding a cursor only
   * has to encode its key.
   */
  readonly prefix: string;
}

const TAG_LENGTH = 9;
/** Scopes kept once made: a stream's or page's cursors all share one, found by a Map lookup. */
const KEPT_SCOPES = 1 << 14;
const scopes = new Map<string, CursorScope>();

/** The scope of a `kind` of stream or list (e.g. 'messages') of one thing (its id). */
export function cursorScope(kind: string, id: string): CursorScope {
  const name = `${kind}\u0000${id}`;
  let scope = scopes.get(name);
  if (scope === undefined) {
    const tag = createHash('sha256').update(name).digest('base64url').slice(0, TAG_LENGTH);
    scope = { tag, prefix: Buffer.from(`["v2","${tag}",`).toString('base64url') };
    // Oldest first out: a scope still in use is made again at the cost of one hash.
    if (scopes.size >= KEPT_SCOPES) scopes.delete(scopes.keys().next().value!);
    scopes.set(name, scope);
  }
  return scope;
}

/** Cursors of one small sequence number (a message's or an event's place) kept once made. */
const KEPT_SEQUENCE_CURSORS = 1 << 16;
const sequenceCursors = new Map<number, string>();
/** The same numbers' encodings after a scope's prefix (`42]`): shared by every scope. */
const sequenceKeys = new Map<number, string>();

const isKeptSequence = (key: CursorKey): key is [number] => {
  const sequence = key.length === 1 ? key[0] : undefined;
  return (
    typeof sequence === 'number' &&
    Number.isInteger(sequence) &&
    sequence >= 0 &&
    sequence < KEPT_SEQUENCE_CURSORS
  );
};

/**
 * The cursor of a row with this sort key, in `scope` (the stream or list it belongs to, checked
 * when it comes back: decodeCursor). A key of one sequence number — every message and event of
 * every page carries one, and the same few thousand come back page after page — is encoded once
 * and kept; a scope's prefix is too (cursorScope), so a scoped cursor costs a concatenation.
 * Without a scope the cursor is a v1 one, as every cursor was before scopes.
 */
export function encodeCursor(key: CursorKey, scope?: CursorScope): string {
  const kept = isKeptSequence(key);
  if (scope !== undefined) {
    let encodedKey = kept ? sequenceKeys.get(key[0]) : undefined;
    if (encodedKey === undefined) {
      encodedKey = Buffer.from(JSON.stringify(key).slice(1)).toString('base64url');
      if (kept) sequenceKeys.set(key[0], encodedKey);
    }
    return scope.prefix + encodedKey;
  }
  let cursor = kept ? sequenceCursors.get(key[0]) : undefined;
  if (cursor === undefined) {
    cursor = Buffer.from(JSON.stringify(['v1', ...key])).toString('base64url');
    if (kept) sequenceCursors.set(key[0], cursor);
  }
  return cursor;
}

const invalidCursor = (argument: string) =>
  badUserInput(`\`${argument}\` is not a valid cursor.`, argument);

/**
 * A cursor's version and key, its scope checked. A v2 cursor must carry `scope`'s tag: another
 * one is a cursor of another stream or list (and without a scope, no v2 cursor is one of this
 * list's). A v1 cursor, made before cursors named their scope and still held by clients, is
 * taken as it is (its key is checked as before: a stream also refuses one past its head).
 * Anything else is BAD_USER_INPUT, naming `argument`.
 */
export function readCursor(
  cursor: string,
  argument: string,
  scope: CursorScope | undefined,
): { version: 'v1' | 'v2'; key: unknown[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) throw invalidCursor(argument);
  if (parsed[0] === 'v1') return { version: 'v1', key: parsed.slice(1) };
  if (parsed[0] !== 'v2' || typeof parsed[1] !== 'string') throw invalidCursor(argument);
  if (scope === undefined || parsed[1] !== scope.tag) {
    throw badUserInput(
      `\`${argument}\` is a cursor of another stream or list, not of this one.`,
      argument,
    );
  }
  return { version: 'v2', key: parsed.slice(2) };
}

/** Whether a key has this shape: so many parts, each of its type. */
export const hasShape = (key: unknown[], shape: ('string' | 'number')[]): key is CursorKey =>
  key.length === shape.length && shape.every((type, i) => typeof key[i] === type);

/**
 * Decodes a cursor made by encodeCursor with the same key shape, in `scope` (or a v1 cursor of
 * that shape; see readCursor), or fails with BAD_USER_INPUT.
 */
export function decodeCursor(
  cursor: string,
  shape: ('string' | 'number')[],
  argument = 'after',
  scope?: CursorScope,
): CursorKey {
  const { key } = readCursor(cursor, argument, scope);
  if (!hasShape(key, shape)) throw invalidCursor(argument);
  return key;
}

/** The latest time a timestamp column of ours is compared with (a cursor beyond is forged). */
const MAX_TIME = Date.UTC(9999, 11, 31);

/**
 * Decodes a cursor of a row ordered by a timestamp with its id (`[date.toISOString(), id]`),
 * checked beyond its shape since both go into SQL: only a time this service could have written,
 * in the form it writes it, and a UUID. Anything else (another list's cursor, a forged one) is
 * BAD_USER_INPUT rather than a date or an id PostgreSQL would refuse. With `scope`, the list's
 * own cursors only (and v1 ones): see decodeCursor.
 */
export function decodeTimestampCursor(
  cursor: string,
  argument = 'after',
  scope?: CursorScope,
): { at: Date; id: string } {
  const [text, id] = decodeCursor(cursor, ['string', 'string'], argument, scope) as [
    string,
    string,
  ];
  const at = new Date(text);
  const time = at.getTime();
  if (!(time >= 0 && time <= MAX_TIME) || at.toISOString() !== text || !isUuid(id)) {
    throw badUserInput(`\`${argument}\` is not a valid cursor.`, argument);
  }
  return { at, id };
}

export function pageSize(value: number | null | undefined, argument: string): number {
  const size = value ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw badUserInput(`\`${argument}\` must be between 0 and ${MAX_PAGE_SIZE}.`, argument);
  }
  return size;
}

/** An edge whose cursor is encoded when asked for: clients ask for few of a page's cursors. */
class Edge<T> {
  constructor(
    readonly node: T,
    private readonly cursorOf: (node: T) => string,
  ) {}

  get cursor(): string {
    return this.cursorOf(this.node);
  }
}

/** PageInfo whose cursors, too, are encoded when asked for. */
class EdgesPageInfo<T> implements PageInfo {
  constructor(
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
    private readonly edges: Edge<T>[],
  ) {}

  get startCursor(): string | null {
    return this.edges[0]?.cursor ?? null;
  }

  get endCursor(): string | null {
    return this.edges.at(-1)?.cursor ?? null;
  }
}

/** A connection of `page`, in order; each edge's cursor is `cursorOf` its node. */
export function connectionOf<T>(
  page: T[],
  cursorOf: (node: T) => string,
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean },
): Connection<T> {
  const edges = page.map((node) => new Edge(node, cursorOf));
  return {
    edges,
    pageInfo: new EdgesPageInfo(pageInfo.hasNextPage, pageInfo.hasPreviousPage, edges),
  };
}

/**
 * Builds a forward connection from rows fetched with `limit = size + 1`: the extra row only
 * tells whether there is a next page. Its cursors are in `scope`, the list's (encodeCursor).
 */
export function forwardConnection<T>(
  rows: T[],
  size: number,
  cursorKey: (row: T) => CursorKey,
  hasPreviousPage: boolean,
  scope?: CursorScope,
): Connection<T> {
  return connectionOf(rows.slice(0, size), (node) => encodeCursor(cursorKey(node), scope), {
    hasNextPage: rows.length > size,
    hasPreviousPage,
  });
}

/** A row listed in creation order: by `createdAt`, ties broken by `id`. */
export interface CreationOrdered {
  createdAt: Date;
  id: string;
}

/**
 * One forward page (`first`, `after`) of the rows `where` selects, in creation order, by
 * keyset: the cursor is the last row's (createdAt, id), in `scope` (the list's: encodeCursor).
 * `find` runs the query the page needs.
 */
export async function pageInCreationOrder<T extends CreationOrdered>(
  args: { first?: number | null; after?: string | null },
  where: Record<string, unknown>,
  find: (
    where: Record<string, unknown>,
    options: { orderBy: { createdAt: 'asc'; id: 'asc' }; limit: number },
  ) => Promise<T[]>,
  scope?: CursorScope,
): Promise<Connection<T>> {
  const size = pageSize(args.first, 'first');
  const bounded = { ...where };
  if (args.after != null) {
    const { at, id } = decodeTimestampCursor(args.after, 'after', scope);
    // The first condition bounds the index scan (the page starts at the cursor, not at the
    // beginning of the list); the second breaks ties on the timestamp.
    bounded.createdAt = { $gte: at };
    bounded.$or = [{ createdAt: { $gt: at } }, { id: { $gt: id } }];
  }
  const rows = await find(bounded, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: size + 1 });
  return forwardConnection(
    rows,
    size,
    (row) => [row.createdAt.toISOString(), row.id],
    args.after != null,
    scope,
  );
}
