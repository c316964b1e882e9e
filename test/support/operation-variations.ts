/**
 * Variations of a generated operation (random-operations.ts) for differential tests, adding
 * shapes that generator does not make:
 * - the same field again under another alias with other arguments (literal or variable);
 * - inline fragments on the selection set's own type, split in two around other fields (Apollo
 *   merges them into the first), next to a named fragment on that type, spread twice;
 * - @skip/@include on inline fragments and fragment spreads, literal or variable;
 * - variables with default values, sent, omitted or null, and list variables sent as a single
 *   value (input coercion makes it a list of one).
 *
 * Every variation is valid against the schema (an invalid one is dropped for the original), so a
 * difference between two paths answering it is a difference in execution.
 */
import {
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  parseType,
  print,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type ConstValueNode,
  type DirectiveNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValueNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { Random } from '../faults/schedule';
import type { GeneratedOperation, OperationShape } from './random-operations';

const name = (value: string) => ({ kind: Kind.NAME, value }) as const;

/** A literal for a JSON value of the pools (no enums or input objects there). */
function valueNode(value: unknown): ConstValueNode {
  if (value === null) return { kind: Kind.NULL };
  if (Array.isArray(value)) return { kind: Kind.LIST, values: value.map(valueNode) };
  if (typeof value === 'boolean') return { kind: Kind.BOOLEAN, value };
  if (typeof value === 'number')
    return Number.isInteger(value)
      ? { kind: Kind.INT, value: String(value) }
      : { kind: Kind.FLOAT, value: String(value) };
  return { kind: Kind.STRING, value: String(value) };
}

/** How often an inline fragment or spread made here gets @skip or @include. */
const DIRECTIVES = 0.2;
const SCALAR_VALUES: Record<string, readonly unknown[]> = {
  ID: ['x'],
  String: ['x', ''],
  Int: [0, 1, -1],
  Float: [0.5, 2],
  Boolean: [true, false],
};

class Variation {
  private readonly variables: VariableDefinitionNode[] = [];
  /** Per new variable: how a request gives it (a value, or undefined: left out). */
  private readonly values: Record<string, () => unknown> = {};
  private readonly fragments: FragmentDefinitionNode[] = [];
  private serial = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly random: Random,
    private readonly shape: OperationShape,
  ) {}

  private chance(probability: number): boolean {
    return this.random.next() < probability;
  }

  private next(prefix: string): string {
    return `${prefix}${this.serial++}`;
  }

  /** A value for an argument or variable of this name and type (null only where allowed). */
  private valueOf(argument: string, type: GraphQLInputType, nullable = true): unknown {
    const pool = this.shape.argumentPools[argument];
    const allowsNull = nullable && !isNonNullType(type);
    if (pool) {
      const candidates = allowsNull ? pool : pool.filter((value) => value !== null);
      if (candidates.length) return this.random.pick(candidates);
    }
    const inner = isNonNullType(type) ? type.ofType : type;
    if (allowsNull && this.chance(0.2)) return null;
    if (isListType(inner))
      return Array.from({ length: this.random.between(0, 3) }, () =>
        this.valueOf(argument, inner.ofType),
      );
    return this.random.pick(SCALAR_VALUES[getNamedType(inner).name] ?? [null]);
  }

  /** A new variable of `type` used for `argument`, with or without a default value. */
  private variable(argument: string, type: GraphQLInputType): ValueNode {
    const variable = this.next('x');
    const withDefault = this.chance(0.5);
    const defaultValue = withDefault ? this.valueOf(argument, type, false) : undefined;
    // A non-null argument may take a nullable variable with a default value.
    const declared = withDefault && isNonNullType(type) && this.chance(0.5) ? type.ofType : type;
    this.variables.push({
      kind: Kind.VARIABLE_DEFINITION,
      variable: { kind: Kind.VARIABLE, name: name(variable) },
      type: parseType(String(declared)),
      ...(withDefault ? { defaultValue: valueNode(defaultValue) } : {}),
    });
    this.values[variable] = () => {
      const omittable = withDefault || !isNonNullType(declared);
      if (omittable && this.chance(0.3)) return undefined;
      // Null for a variable that may be null: its default does not apply then.
      if (!isNonNullType(declared) && this.chance(0.15)) return null;
      const value = this.valueOf(argument, type, false);
      // A list sent as one element: coerced to a list of one.
      if (Array.isArray(value) && value.length === 1 && this.chance(0.5)) return value[0];
      return value;
    };
    return { kind: Kind.VARIABLE, name: name(variable) };
  }

  private condition(): DirectiveNode {
    const directive = this.random.pick(['skip', 'include']);
    let value: ValueNode;
    if (this.chance(0.4)) value = { kind: Kind.BOOLEAN, value: this.chance(0.5) };
    else {
      const variable = this.next('c');
      const withDefault = this.chance(0.5);
      this.variables.push({
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: name(variable) },
        type: withDefault
          ? { kind: Kind.NAMED_TYPE, name: name('Boolean') }
          : {
              kind: Kind.NON_NULL_TYPE,
              type: { kind: Kind.NAMED_TYPE, name: name('Boolean') },
            },
        ...(withDefault ? { defaultValue: { kind: Kind.BOOLEAN, value: this.chance(0.5) } } : {}),
      });
      this.values[variable] = () =>
        withDefault && this.chance(0.4) ? undefined : this.chance(0.5);
      value = { kind: Kind.VARIABLE, name: name(variable) };
    }
    return {
      kind: Kind.DIRECTIVE,
      name: name(directive),
      arguments: [{ kind: Kind.ARGUMENT, name: name('if'), value }],
    };
  }

  /** The same field under a new alias, each argument given anew. */
  private twin(field: FieldNode, parent: GraphQLCompositeType): FieldNode | null {
    const definition = 'getFields' in parent ? parent.getFields()[field.name.value] : undefined;
    if (!definition?.args.length) return null;
    const args: ArgumentNode[] = definition.args
      .filter((arg) => isNonNullType(arg.type) || this.chance(0.6))
      .map((arg) => ({
        kind: Kind.ARGUMENT,
        name: name(arg.name),
        value: this.chance(0.4)
          ? this.variable(arg.name, arg.type)
          : valueNode(this.valueOf(arg.name, arg.type)),
      }));
    return { ...field, alias: name(this.next('twin')), arguments: args };
  }

  /** Some of an object type's selections behind inline fragments on it, or a named fragment. */
  private regroup(typeName: string, selections: readonly SelectionNode[]): SelectionNode[] {
    if (selections.length < 2) return [...selections];
    const shuffled = this.random.shuffle([...selections]);
    const cut = this.random.between(1, shuffled.length - 1);
    const [inFragments, rest] = [shuffled.slice(0, cut), shuffled.slice(cut)];
    const onType = (parts: readonly SelectionNode[], typed = true): SelectionNode => ({
      kind: Kind.INLINE_FRAGMENT,
      ...(typed ? { typeCondition: { kind: Kind.NAMED_TYPE, name: name(typeName) } } : {}),
      selectionSet: { kind: Kind.SELECTION_SET, selections: parts },
      ...(this.chance(DIRECTIVES) ? { directives: [this.condition()] } : {}),
    });
    const spreadOf = (parts: readonly SelectionNode[]): SelectionNode => {
      const fragment = this.next('Group');
      this.fragments.push({
        kind: Kind.FRAGMENT_DEFINITION,
        name: name(fragment),
        typeCondition: { kind: Kind.NAMED_TYPE, name: name(typeName) },
        selectionSet: { kind: Kind.SELECTION_SET, selections: parts },
      });
      return {
        kind: Kind.FRAGMENT_SPREAD,
        name: name(fragment),
        ...(this.chance(DIRECTIVES) ? { directives: [this.condition()] } : {}),
      };
    };
    const half = Math.ceil(inFragments.length / 2);
    const [first, second] = [inFragments.slice(0, half), inFragments.slice(half)];
    switch (this.random.between(0, 3)) {
      case 0: // two inline fragments on the type, apart: merged into the first
        return second.length ? [onType(first), ...rest, onType(second)] : [onType(first), ...rest];
      case 1: // a named fragment on the type, spread twice, and an inline one
        return [spreadOf(first), ...rest, onType(second.length ? second : first), spreadOf(first)];
      case 2: // an untyped inline fragment and a typed one, which Apollo keeps apart
        return [onType(first, false), ...rest, onType(second.length ? second : first)];
      default: // a named fragment and an inline fragment with the same fields
        return [onType(inFragments), ...rest, spreadOf(inFragments)];
    }
  }

  vary(operation: GeneratedOperation): GeneratedOperation {
    const document = parse(operation.query);
    const typeInfo = new TypeInfo(this.schema);
    const varied = visit(
      document,
      visitWithTypeInfo(typeInfo, {
        SelectionSet: {
          leave: (node: SelectionSetNode) => {
            const parent = typeInfo.getParentType();
            if (!parent) return undefined;
            const selections = node.selections.flatMap((selection) => {
              const twin =
                selection.kind === Kind.FIELD && this.chance(0.3)
                  ? this.twin(selection, parent)
                  : null;
              return twin ? [selection, twin] : [selection];
            });
            return {
              ...node,
              selections:
                isObjectType(parent) && this.chance(0.3)
                  ? this.regroup(parent.name, selections)
                  : selections,
            };
          },
        },
      }),
    );
    const definitions = varied.definitions.map((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION
        ? ({
            ...definition,
            name: definition.name ?? name('Varied'),
            variableDefinitions: [...(definition.variableDefinitions ?? []), ...this.variables],
          } satisfies OperationDefinitionNode)
        : definition,
    );
    const query = print({ ...varied, definitions: [...definitions, ...this.fragments] });
    const variableSets = operation.variableSets.map((set) => {
      const values = { ...set };
      for (const [variable, value] of Object.entries(this.values)) {
        const given = value();
        if (given !== undefined) values[variable] = given;
      }
      return values;
    });
    return { query, variableSets };
  }
}

/**
 * `operation` with some of the shapes above added at random, or `operation` itself when the
 * variation would not be valid.
 */
export function varyOperation(
  schema: GraphQLSchema,
  random: Random,
  shape: OperationShape,
  operation: GeneratedOperation,
): GeneratedOperation {
  const varied = new Variation(schema, random, shape).vary(operation);
  return validate(schema, parse(varied.query)).length === 0 ? varied : operation;
}
