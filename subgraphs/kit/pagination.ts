/**
 * Relay cursor pagination over keyset queries. A cursor is an opaque, versioned encoding of the
 * sort key of the row it points at, so pages never skip or repeat rows when others are inserted
 * meanwhile, and no query needs OFFSET.
 */
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

/** Cursors of one small sequence number (a message's or an event's place) kept once made. */
const KEPT_SEQUENCE_CURSORS = 1 << 16;
const sequenceCursors = new Map<number, string>();

/**
 * The cursor of a row with this sort key. A key of one sequence number — every message and
 * event of every page carries one, and the same few thousand come back page after page — is
 * encoded once and kept.
 */
export function encodeCursor(key: CursorKey): string {
  const sequence = key.length === 1 ? key[0] : undefined;
  const kept =
    typeof sequence === 'number' &&
    Number.isInteger(sequence) &&
    sequence >= 0 &&
    sequence < KEPT_SEQUENCE_CURSORS;
  let cursor = kept ? sequenceCursors.get(sequence) : undefined;
  if (cursor === undefined) {
    cursor = Buffer.from(JSON.stringify(['v1', ...key])).toString('base64url');
    if (kept) sequenceCursors.set(sequence, cursor);
  }
  return cursor;
}

/** Decodes a cursor made by encodeCursor with the same key shape, or fails with BAD_USER_INPUT. */
export function decodeCursor(
  cursor: string,
  shape: ('string' | 'number')[],
  argument = 'after',
): CursorKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed[0] !== 'v1' ||
    parsed.length !== shape.length + 1 ||
    !shape.every((type, i) => typeof parsed[i + 1] === type)
  ) {
    throw badUserInput(`\`${argument}\` is not a valid cursor.`, argument);
  }
  return parsed.slice(1) as CursorKey;
}

/** The latest time a timestamp column of ours is compared with (a cursor beyond is forged). */
const MAX_TIME = Date.UTC(9999, 11, 31);

/**
 * Decodes a cursor of a row ordered by a timestamp with its id (`[date.toISOString(), id]`),
 * checked beyond its shape since both go into SQL: only a time this service could have written,
 * in the form it writes it, and a UUID. Anything else (another list's cursor, a forged one) is
 * BAD_USER_INPUT rather than a date or an id PostgreSQL would refuse.
 */
export function decodeTimestampCursor(
  cursor: string,
  argument = 'after',
): { at: Date; id: string } {
  const [text, id] = decodeCursor(cursor, ['string', 'string'], argument) as [string, string];
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
 * tells whether there is a next page.
 */
export function forwardConnection<T>(
  rows: T[],
  size: number,
  cursorKey: (row: T) => CursorKey,
  hasPreviousPage: boolean,
): Connection<T> {
  return connectionOf(rows.slice(0, size), (node) => encodeCursor(cursorKey(node)), {
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
 * keyset: the cursor is the last row's (createdAt, id). `find` runs the query the page needs.
 */
export async function pageInCreationOrder<T extends CreationOrdered>(
  args: { first?: number | null; after?: string | null },
  where: Record<string, unknown>,
  find: (
    where: Record<string, unknown>,
    options: { orderBy: { createdAt: 'asc'; id: 'asc' }; limit: number },
  ) => Promise<T[]>,
): Promise<Connection<T>> {
  const size = pageSize(args.first, 'first');
  const bounded = { ...where };
  if (args.after) {
    const { at, id } = decodeTimestampCursor(args.after);
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
    Boolean(args.after),
  );
}
