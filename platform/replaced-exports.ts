/**
 * Some libraries make objects that nothing can reach afterwards (prom-client's GC observer,
 * MikroORM's module-private async contexts) from classes and functions they read off a Node
 * module's CommonJS exports at the time of the call. Replacing those exports for that one
 * synchronous call is how a service catches what they make.
 */

/**
 * Runs `call` with some of `exports`' properties replaced, and puts the originals back whatever
 * happens. `exports` must be the module's own exports object (`import x = require(…)`): an
 * `import * as` copy has getters only.
 */
export function withExportsReplaced<TExports extends object, TResult>(
  exports: TExports,
  replacements: Partial<TExports>,
  call: () => TResult,
): TResult {
  const names = Object.keys(replacements) as (keyof TExports)[];
  const originals = names.map((name) => exports[name]);
  Object.assign(exports, replacements);
  try {
    return call();
  } finally {
    names.forEach((name, index) => (exports[name] = originals[index]!));
  }
}
