/**
 * Two fast paths of the subgraphs' output, each against the general one over many generated
 * values: the DateTime scalar writes a Date's text itself (subgraphs/kit/scalars.ts) and must
 * write what `Date#toJSON` does; cursors of one sequence number are kept once encoded
 * (subgraphs/kit/pagination.ts) and must stay what encoding them afresh gives.
 */
import { DateTimeResolver } from 'graphql-scalars';
import { decodeCursor, encodeCursor } from '../subgraphs/kit/pagination';
import { DateTime, dateJson } from '../subgraphs/kit/scalars';

/** A small deterministic generator, so that a failure names a reproducible case. */
function generator(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

it('writes every date as Date#toJSON does, inside and outside four-digit years', () => {
  const next = generator(20261201);
  const MAX = 8.64e15; // the largest time a Date holds, either side of 1970
  const times = [
    0,
    -1,
    Date.UTC(1000, 0, 1),
    Date.UTC(1000, 0, 1) - 1,
    Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 1,
    MAX,
    -MAX,
    ...Array.from({ length: 5_000 }, () => Math.floor((next() * 2 - 1) * MAX)),
    // Mostly the years a timestamp column holds, with every millisecond digit count.
    ...Array.from({ length: 5_000 }, () => Math.floor(Date.UTC(1000, 0, 1) + next() * 2.6e14)),
  ];
  for (const time of times) {
    const date = new Date(time);
    expect({ time, text: dateJson(date) }).toEqual({ time, text: date.toJSON() });
  }
  expect(dateJson(new Date(NaN))).toBeNull();
});

it('serializes DateTime values as graphql-scalars does, as text', () => {
  const next = generator(7);
  const values: unknown[] = [
    ...Array.from({ length: 1_000 }, () => new Date(Math.floor(next() * 4e12))),
    '2026-12-01T12:00:00.000Z',
    '2026-12-01T12:00:00+02:00',
    Math.floor(next() * 4e12),
  ];
  for (const value of values) {
    const expected: unknown = DateTimeResolver.serialize(value);
    expect(DateTime.serialize(value)).toEqual(
      expected instanceof Date ? expected.toJSON() : expected,
    );
  }
  for (const invalid of ['yesterday', {}, new Date(NaN)]) {
    expect(() => DateTime.serialize(invalid)).toThrow();
    expect(() => DateTimeResolver.serialize(invalid)).toThrow();
  }
});

it('keeps the cursors of sequence numbers exactly as encoding them afresh gives them', () => {
  const next = generator(42);
  const fresh = (key: (string | number)[]) =>
    Buffer.from(JSON.stringify(['v1', ...key])).toString('base64url');
  const keys: (string | number)[][] = [
    [0],
    [65_535],
    [65_536],
    [-1],
    [1.5],
    [Number.MAX_SAFE_INTEGER],
    ['7'],
    [7, 'a'],
    ...Array.from({ length: 3_000 }, () => [Math.floor(next() * 100_000)]),
  ];
  // Twice each: the second time from what the first kept.
  for (const key of [...keys, ...keys]) {
    const cursor = encodeCursor(key);
    expect({ key, cursor }).toEqual({ key, cursor: fresh(key) });
  }
  for (const [sequence] of keys.filter((key) => key.length === 1 && Number.isInteger(key[0]))) {
    expect(decodeCursor(encodeCursor([sequence!]), ['number'])).toEqual([sequence]);
  }
});
