/** Custom scalars every subgraph's schema declares, with the same behaviour in each. */
import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';

/**
 * graphql-scalars' DateTime, whose values leave serialized as the text they become in the
 * response anyway: its own serializer returns Dates, which JSON.stringify then turns into text
 * through `toJSON` — on a dashboard page's 250 timestamps, more than half the time of writing
 * the whole response. `toJSON` here, once per value, writes the same text (ISO 8601 in UTC with
 * milliseconds). Parsing arguments and input is graphql-scalars' own.
 */
export const DateTime = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  serialize(value) {
    const serialized: unknown = DateTimeResolver.serialize(value);
    return serialized instanceof Date ? serialized.toJSON() : serialized;
  },
});
