/**
 * Apollo Server's cache of parsed documents, as gateway and subgraphs configure it
 * (platform/http.ts documentStore): a document counts the source text it keeps, so ever new
 * documents padded with long comments cannot make a process hold them beyond the cache's bound.
 */
import { parse } from 'graphql';
import { documentStore } from '../platform/http';

const MEGABYTE = 2 ** 20;

test('keeps no more source text than its 30 MiB bound, however large each document', async () => {
  const store = documentStore();
  const keys = Array.from({ length: 60 }, (_, i) => `document-${i}`);
  // Each parses to the same small tree, but keeps its megabyte of comment through its location.
  for (const [i, key] of keys.entries())
    await store.set(key, parse(`# ${'x'.repeat(MEGABYTE)}\n{ field${i} }`));
  const kept = (await Promise.all(keys.map((key) => store.get(key)))).filter(Boolean);
  const text = kept.reduce((sum, document) => sum + (document!.loc?.source.body.length ?? 0), 0);
  expect(text).toBeLessThanOrEqual(30 * MEGABYTE);
  // The newest are the ones kept, and small documents still fit by the thousand.
  expect(await store.get(keys.at(-1)!)).toBeDefined();
  const small = Array.from({ length: 2000 }, (_, i) => `small-${i}`);
  for (const key of small) await store.set(key, parse(`{ ${key.replace('-', '_')} }`));
  expect((await Promise.all(small.map((key) => store.get(key)))).every(Boolean)).toBe(true);
});
