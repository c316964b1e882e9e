/**
 * Random query operations over a schema, for differential tests: nested selections down to a
 * depth, aliases, __typename, inline fragments on the possible types of interfaces and unions,
 * fragments without a type condition, named fragments, selections repeated (to be merged),
 * @skip/@include with literals and variables, and arguments given as literals or variables.
 * Argument values come from pools the caller names per argument, so that ids hit the data the
 * test's subgraphs hold; a document may be asked for with several sets of variables.
 *
 * Every operation is valid against the schema (one that is not is generated again), so a
 * difference between two paths answering it is a difference in execution, not in validation.
 */
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  validate,
  type GraphQLAbstractType,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLInterfaceType,
  type GraphQLSchema,
} from 'graphql';
import type { Random } from '../faults/schedule';

export interface GeneratedOperation {
  query: string;
  /** The variables to send it with: one object per request (one empty object if it has none). */
  variableSets: Record<string, unknown>[];
}

export interface OperationShape {
  /** Argument values by argument name; arguments not named get a value of their type. */
  argumentPools: Record<string, readonly unknown[]>;
  maxDepth: number;
  maxFieldsPerSelection: number;
  maxVariableSets: number;
}

const SCALAR_VALUES: Record<string, readonly unknown[]> = {
  ID: ['x'],
  String: ['x', ''],
  Int: [0, 1, -1],
  Float: [0.5, 2],
  Boolean: [true, false],
};

/** A literal in GraphQL syntax for a JSON value (the pools hold no enums or input objects). */
const literal = (value: unknown): string =>
  Array.isArray(value) ? `[${value.map(literal).join(', ')}]` : JSON.stringify(value);

/** One operation's generation: its variables and named fragments as they are made up. */
class OperationBuilder {
  private readonly variables: {
    name: string;
    type: string;
    values: () => unknown;
  }[] = [];
  private readonly fragments: string[] = [];
  private aliases = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly random: Random,
    private readonly shape: OperationShape,
  ) {}

  build(): GeneratedOperation {
    const root = this.selectionSet(this.schema.getQueryType()!, 0);
    const definitions = this.variables.map(({ name, type }) => `$${name}: ${type}`);
    const header = definitions.length ? `query Generated(${definitions.join(', ')})` : 'query';
    const sets = definitions.length ? this.random.between(1, this.shape.maxVariableSets) : 1;
    return {
      query: [`${header} ${root}`, ...this.fragments].join('\n'),
      variableSets: Array.from({ length: sets }, () =>
        Object.fromEntries(this.variables.map(({ name, values }) => [name, values()])),
      ),
    };
  }

  private chance(probability: number): boolean {
    return this.random.next() < probability;
  }

  private selectionSet(type: GraphQLCompositeType, depth: number): string {
    const selections = isAbstractType(type)
      ? this.abstractSelections(type, depth)
      : this.fieldSelections(type, depth);
    if (this.chance(0.1)) selections.push(this.random.pick(selections)); // merged with itself
    if (selections.length > 1 && this.chance(0.15)) {
      const [first, ...rest] = this.random.shuffle(selections);
      selections.splice(0, selections.length, `... { ${first} }`, ...rest);
    }
    if (this.chance(0.1)) {
      const name = `Part${this.fragments.length}`;
      this.fragments.push(`fragment ${name} on ${type.name} { ${selections.join(' ')} }`);
      return `{ ...${name} }`;
    }
    return `{ ${selections.join(' ')} }`;
  }

  private abstractSelections(type: GraphQLAbstractType, depth: number): string[] {
    const selections = ['__typename'];
    if (isInterfaceType(type) && this.chance(0.6))
      selections.push(...this.fieldSelections(type, depth));
    const candidates = [
      ...this.schema.getPossibleTypes(type),
      // Other interfaces whose types overlap this one's (`... on Item` in a union of items).
      ...Object.values(this.schema.getTypeMap()).filter(
        (other): other is GraphQLInterfaceType =>
          isInterfaceType(other) &&
          other !== type &&
          this.schema.getPossibleTypes(other).some((member) => this.schema.isSubType(type, member)),
      ),
    ];
    for (const condition of this.random.shuffle(candidates).slice(0, this.random.between(1, 3)))
      selections.push(`... on ${condition.name} ${this.selectionSet(condition, depth)}`);
    return selections;
  }

  private fieldSelections(type: GraphQLCompositeType, depth: number): string[] {
    if (!isObjectType(type) && !isInterfaceType(type)) return ['__typename'];
    const fields = Object.values(type.getFields()).filter(
      (field) => depth < this.shape.maxDepth || isLeafType(getNamedType(field.type)),
    );
    const picked = this.random
      .shuffle(fields)
      .slice(0, this.random.between(1, this.shape.maxFieldsPerSelection));
    const selections = picked.map((field) => this.field(field, depth));
    if (this.chance(0.2)) selections.unshift('__typename');
    return selections.length ? selections : ['__typename'];
  }

  private field(field: GraphQLField<unknown, unknown>, depth: number): string {
    const alias = this.chance(0.25) ? `a${this.aliases++}: ` : '';
    const args = field.args
      .filter((arg) => isNonNullType(arg.type) || this.chance(0.5))
      .map((arg) => `${arg.name}: ${this.argumentValue(arg)}`);
    const directive = this.chance(0.1) ? ` ${this.condition()}` : '';
    const named = getNamedType(field.type);
    const selection = isCompositeType(named) ? ` ${this.selectionSet(named, depth + 1)}` : '';
    const argumentList = args.length ? `(${args.join(', ')})` : '';
    return `${alias}${field.name}${argumentList}${directive}${selection}`;
  }

  private condition(): string {
    const name = this.random.pick(['skip', 'include']);
    const value = this.chance(0.5)
      ? String(this.chance(0.5))
      : this.variable('Boolean!', () => this.chance(0.5));
    return `@${name}(if: ${value})`;
  }

  private argumentValue(arg: GraphQLArgument): string {
    const values = () => this.valueOf(arg.name, arg.type);
    return this.chance(0.35) ? this.variable(String(arg.type), values) : literal(values());
  }

  private variable(type: string, values: () => unknown): string {
    const name = `v${this.variables.length}`;
    this.variables.push({ name, type, values });
    return `$${name}`;
  }

  private valueOf(argument: string, type: GraphQLInputType): unknown {
    const pool = this.shape.argumentPools[argument];
    if (pool) return this.random.pick(pool);
    const inner = isNonNullType(type) ? type.ofType : type;
    if (!isNonNullType(type) && this.chance(0.2)) return null;
    if (isListType(inner))
      return Array.from({ length: this.random.between(0, 3) }, () =>
        this.valueOf(argument, inner.ofType),
      );
    return this.random.pick(SCALAR_VALUES[getNamedType(inner).name] ?? [null]);
  }
}

/** A valid random operation over `schema`'s query type. */
export function randomOperation(
  schema: GraphQLSchema,
  random: Random,
  shape: OperationShape,
): GeneratedOperation {
  for (let attempt = 1; ; attempt++) {
    const operation = new OperationBuilder(schema, random, shape).build();
    const errors = validate(schema, parse(operation.query));
    if (errors.length === 0) return operation;
    // Only a schema the builder cannot fill (an argument type it has no values for) gets here.
    if (attempt === 50) throw new Error(`No valid operation in 50 attempts: ${errors[0]}`);
  }
}
