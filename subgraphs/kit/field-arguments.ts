/**
 * graphql-js 16 coerces every field's arguments before resolving it, even for a field that
 * declares none: a null-prototype object for the values, another mapping the field's argument
 * nodes by name (V8 keeps both as hash tables) and a plain copy of the first, which is what the
 * resolver gets. On a dashboard page (50 deployments with their last events, some 1,600 fields)
 * they were 28 % of everything the deployments subgraph allocated, and executing and serializing
 * that page took a third longer than with them shared (docs/benchmarks.md).
 *
 * A field that declares no arguments always gets an empty plain object from graphql-js: here it
 * gets one shared, frozen, empty plain object instead. Fields with arguments are coerced by
 * graphql-js itself, unchanged. graphql-js's executor calls `getArgumentValues` through its
 * CommonJS module's exports, which is what lets this take effect; `sharesEmptyArguments()` says
 * whether it did, and a test fails if an upgrade of graphql-js ever stops it.
 */
// The module's own CommonJS `exports`, whose properties are writable: loaders such as tsx hand
// `import * as` a copy with getters only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import values = require('graphql/execution/values');

type GetArgumentValues = typeof values.getArgumentValues;

/** What a field without arguments receives: frozen, so no resolver can leave state in it. */
export const NO_ARGUMENTS: Readonly<Record<string, unknown>> = Object.freeze({});

const coerceArguments: GetArgumentValues = values.getArgumentValues;

const argumentsOf: GetArgumentValues = (definition, node, variableValues) =>
  definition.args.length === 0 ? NO_ARGUMENTS : coerceArguments(definition, node, variableValues);

/** The same exports, typed as writable: the executor reads `getArgumentValues` at every call. */
const exportsOfValues = values as { getArgumentValues: GetArgumentValues };

/**
 * Makes every field without arguments share NO_ARGUMENTS, process-wide (`on: false` undoes it,
 * for tests that compare both). Idempotent.
 */
export function shareEmptyArguments(on = true): void {
  exportsOfValues.getArgumentValues = on ? argumentsOf : coerceArguments;
}

/** Whether graphql-js now hands NO_ARGUMENTS to fields without arguments. */
export function sharesEmptyArguments(): boolean {
  return exportsOfValues.getArgumentValues === argumentsOf;
}
