/**
 * MikroORM keeps its contexts in AsyncLocalStorage instances of its own: the unit of work's
 * "inside a flush" (module-private), the transaction and request contexts, raw query fragments.
 * On Node 20 an AsyncLocalStorage turns on async hooks for the whole process at its first
 * `run()` and keeps them on until it is disabled, which MikroORM never does: after a
 * subgraph's first write, every promise and socket of the process pays for them for good (an
 * await costs about 2.5× as much; the users subgraph spent 12–16 % more CPU per request).
 *
 * MikroORM reads the flush's, the transactions' and the raw fragments' contexts only while a
 * run of them is in flight, so each of those storages is disabled again when its last run
 * settles, and the hooks go off with them unless something else (tracing) keeps a storage of
 * its own. The request context is left as it is: it exists to outlive its run (a middleware's
 * `next()`), and no subgraph uses it. To reach the private
 * ones, this module loads MikroORM itself, with `AsyncLocalStorage` standing in for a subclass
 * that records every instance made meanwhile: it must load before anything else imports
 * `@mikro-orm/core` (kit/orm imports it first). Loaded later, it changes nothing. Node 22's
 * AsyncContextFrame makes storages cheap, and this module unnecessary.
 */
// The module object itself, not an import's copy of it: its export is swapped while MikroORM loads.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import asyncHooks = require('node:async_hooks');
import { withExportsReplaced } from '../../platform/replaced-exports';

type Storage = InstanceType<typeof asyncHooks.AsyncLocalStorage<unknown>>;

/** Disables the storage whenever none of its runs is in flight; `run` re-enables it. */
function disableWhenIdle(storage: Storage): void {
  const run = storage.run;
  let inFlight = 0;
  const settled = () => {
    if (--inFlight === 0) storage.disable();
  };
  storage.run = function (
    this: Storage,
    store: unknown,
    callback: (...args: unknown[]) => unknown,
    ...args: unknown[]
  ) {
    inFlight++;
    let result: unknown;
    try {
      result = run.call(this, store, callback, ...args);
    } catch (error) {
      settled();
      throw error;
    }
    if (result instanceof Promise) result.then(settled, settled);
    else settled();
    return result;
  } as Storage['run'];
}

/** Loads MikroORM; returns the storages it made, but its request context's. */
function loadMikroOrm(): Storage[] {
  const { AsyncLocalStorage } = asyncHooks;
  const created: Storage[] = [];
  class Recorded<T> extends AsyncLocalStorage<T> {
    constructor() {
      super();
      created.push(this as Storage);
    }
  }
  const core = withExportsReplaced(
    asyncHooks,
    { AsyncLocalStorage: Recorded },
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    () => require('@mikro-orm/core') as { RequestContext: unknown },
  );
  // `storage` is private in its typings only.
  const requestContext = (core.RequestContext as { storage: Storage }).storage;
  return created.filter((storage) => storage !== requestContext);
}

/** MikroORM's storages that go off when idle: none if MikroORM was loaded before this module. */
export const idleOrmStorages = loadMikroOrm();
idleOrmStorages.forEach(disableWhenIdle);
