/**
 * Relay cursor pagination over keyset queries. A cursor is an opaque, versioned encoding of the
 * sort key of the row it points at, so pages never skip or repeat rows when others are inserted
 * meanwhile, and no query needs OFFSET.
 */
import { badUserInput } from '../../platform/errors';
import { MAX_PAGE_SIZE } from '../../platform/wire';

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

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(['v1', ...key])).toString('base64url');
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

export function pageSize(
  value: number | null | undefined,
  argument: string,
  fallback = 20,
): number {
  const size = value ?? fallback;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw badUserInput(`\`${argument}\` must be between 0 and ${MAX_PAGE_SIZE}.`, argument);
  }
  return size;
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
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: encodeCursor(cursorKey(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
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
    const [createdAt, id] = decodeCursor(args.after, ['string', 'string']) as [string, string];
    // The first condition bounds the index scan (the page starts at the cursor, not at the
    // beginning of the list); the second breaks ties on the timestamp.
    bounded.createdAt = { $gte: new Date(createdAt) };
    bounded.$or = [{ createdAt: { $gt: new Date(createdAt) } }, { id: { $gt: id } }];
  }
  const rows = await find(bounded, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: size + 1 });
  return forwardConnection(
    rows,
    size,
    (row) => [row.createdAt.toISOString(), row.id],
    Boolean(args.after),
  );
}
