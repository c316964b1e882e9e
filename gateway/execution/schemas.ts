/**
 * The schemas every execution path plans and shapes results with, built once per supergraph:
 * the supergraph itself (for the query planner and executeQueryPlan's fetches) and the API
 * schema clients see (for validation and result shaping, which hides @inaccessible elements).
 */
import { createHash } from 'node:crypto';
import { Supergraph, type Schema } from '@apollo/federation-internals';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { GraphQLSchema } from 'graphql';

export interface PlanningSchemas {
  supergraphSchema: GraphQLSchema;
  apiSchema: Schema;
  apiGraphQLSchema: GraphQLSchema;
}

export interface LoadedSupergraph {
  supergraph: Supergraph;
  schemas: PlanningSchemas;
  /** Identifies this supergraph in request contexts (Apollo's schemaHash). */
  schemaHash: GatewayGraphQLRequestContext['schemaHash'];
}

export function loadSupergraph(supergraphSdl: string): LoadedSupergraph {
  const supergraph = Supergraph.build(supergraphSdl);
  const apiSchema = supergraph.apiSchema();
  return {
    supergraph,
    schemas: {
      supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
      apiSchema,
      apiGraphQLSchema: apiSchema.toGraphQLJSSchema(),
    },
    schemaHash: sha256(supergraphSdl) as GatewayGraphQLRequestContext['schemaHash'],
  };
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
