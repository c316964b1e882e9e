import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type DocumentNode } from 'graphql';

/** The committed SDL of a subgraph, `schema/<name>.graphql`: the schema's single source of truth. */
export function loadSubgraphSdl(name: string): DocumentNode {
  // Works from the sources (ts) and from dist/ alike: both sit two levels below the root.
  const root = join(__dirname, '..', '..');
  const candidates = [join(root, 'schema'), join(root, '..', 'schema')];
  for (const dir of candidates) {
    try {
      return parse(readFileSync(join(dir, `${name}.graphql`), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new Error(`schema/${name}.graphql not found`);
}
