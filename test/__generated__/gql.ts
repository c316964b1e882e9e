/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment DeploymentFields on Deployment {\n  id\n  application\n  version\n  environment\n  status\n  createdAt\n  startedAt\n  finishedAt\n  node {\n    id\n  }\n  triggeredBy {\n    id\n  }\n  rollbackOf {\n    id\n  }\n}\n\nmutation CreateDeployment($input: CreateDeploymentInput!) {\n  createDeployment(input: $input) {\n    ...DeploymentFields\n  }\n}\n\nmutation CancelDeployment($id: ID!) {\n  cancelDeployment(id: $id) {\n    ...DeploymentFields\n  }\n}\n\nmutation RollbackDeployment($id: ID!) {\n  rollbackDeployment(id: $id) {\n    ...DeploymentFields\n  }\n}\n\nmutation ClaimDeployment {\n  claimDeployment {\n    ...DeploymentFields\n  }\n}\n\nmutation ReportDeploymentProgress($input: ReportDeploymentProgressInput!) {\n  reportDeploymentProgress(input: $input) {\n    ...DeploymentFields\n  }\n}\n\nquery DeploymentEvents($id: ID!, $first: Int, $after: String, $last: Int) {\n  deployment(id: $id) {\n    events(first: $first, after: $after, last: $last) {\n      edges {\n        cursor\n        node {\n          id\n          cursor\n          deploymentId\n          type\n          status\n          level\n          message\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}\n\nquery DeploymentStats {\n  deploymentStats {\n    queued\n    running\n    succeeded\n    failed\n    cancelled\n    rolledBack\n  }\n}": typeof types.DeploymentFieldsFragmentDoc,
};
const documents: Documents = {
    "fragment DeploymentFields on Deployment {\n  id\n  application\n  version\n  environment\n  status\n  createdAt\n  startedAt\n  finishedAt\n  node {\n    id\n  }\n  triggeredBy {\n    id\n  }\n  rollbackOf {\n    id\n  }\n}\n\nmutation CreateDeployment($input: CreateDeploymentInput!) {\n  createDeployment(input: $input) {\n    ...DeploymentFields\n  }\n}\n\nmutation CancelDeployment($id: ID!) {\n  cancelDeployment(id: $id) {\n    ...DeploymentFields\n  }\n}\n\nmutation RollbackDeployment($id: ID!) {\n  rollbackDeployment(id: $id) {\n    ...DeploymentFields\n  }\n}\n\nmutation ClaimDeployment {\n  claimDeployment {\n    ...DeploymentFields\n  }\n}\n\nmutation ReportDeploymentProgress($input: ReportDeploymentProgressInput!) {\n  reportDeploymentProgress(input: $input) {\n    ...DeploymentFields\n  }\n}\n\nquery DeploymentEvents($id: ID!, $first: Int, $after: String, $last: Int) {\n  deployment(id: $id) {\n    events(first: $first, after: $after, last: $last) {\n      edges {\n        cursor\n        node {\n          id\n          cursor\n          deploymentId\n          type\n          status\n          level\n          message\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}\n\nquery DeploymentStats {\n  deploymentStats {\n    queued\n    running\n    succeeded\n    failed\n    cancelled\n    rolledBack\n  }\n}": types.DeploymentFieldsFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment DeploymentFields on Deployment {\n  id\n  application\n  version\n  environment\n  status\n  createdAt\n  startedAt\n  finishedAt\n  node {\n    id\n  }\n  triggeredBy {\n    id\n  }\n  rollbackOf {\n    id\n  }\n}\n\nmutation CreateDeployment($input: CreateDeploymentInput!) {\n  createDeployment(input: $input) {\n    ...DeploymentFields\n  }\n}\n\nmutation CancelDeployment($id: ID!) {\n  cancelDeployment(id: $id) {\n    ...DeploymentFields\n  }\n}\n\nmutation RollbackDeployment($id: ID!) {\n  rollbackDeployment(id: $id) {\n    ...DeploymentFields\n  }\n}\n\nmutation ClaimDeployment {\n  claimDeployment {\n    ...DeploymentFields\n  }\n}\n\nmutation ReportDeploymentProgress($input: ReportDeploymentProgressInput!) {\n  reportDeploymentProgress(input: $input) {\n    ...DeploymentFields\n  }\n}\n\nquery DeploymentEvents($id: ID!, $first: Int, $after: String, $last: Int) {\n  deployment(id: $id) {\n    events(first: $first, after: $after, last: $last) {\n      edges {\n        cursor\n        node {\n          id\n          cursor\n          deploymentId\n          type\n          status\n          level\n          message\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}\n\nquery DeploymentStats {\n  deploymentStats {\n    queued\n    running\n    succeeded\n    failed\n    cancelled\n    rolledBack\n  }\n}"): (typeof documents)["fragment DeploymentFields on Deployment {\n  id\n  application\n  version\n  environment\n  status\n  createdAt\n  startedAt\n  finishedAt\n  node {\n    id\n  }\n  triggeredBy {\n    id\n  }\n  rollbackOf {\n    id\n  }\n}\n\nmutation CreateDeployment($input: CreateDeploymentInput!) {\n  createDeployment(input: $input) {\n    ...DeploymentFields\n  }\n}\n\nmutation CancelDeployment($id: ID!) {\n  cancelDeployment(id: $id) {\n    ...DeploymentFields\n  }\n}\n\nmutation RollbackDeployment($id: ID!) {\n  rollbackDeployment(id: $id) {\n    ...DeploymentFields\n  }\n}\n\nmutation ClaimDeployment {\n  claimDeployment {\n    ...DeploymentFields\n  }\n}\n\nmutation ReportDeploymentProgress($input: ReportDeploymentProgressInput!) {\n  reportDeploymentProgress(input: $input) {\n    ...DeploymentFields\n  }\n}\n\nquery DeploymentEvents($id: ID!, $first: Int, $after: String, $last: Int) {\n  deployment(id: $id) {\n    events(first: $first, after: $after, last: $last) {\n      edges {\n        cursor\n        node {\n          id\n          cursor\n          deploymentId\n          type\n          status\n          level\n          message\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}\n\nquery DeploymentStats {\n  deploymentStats {\n    queued\n    running\n    succeeded\n    failed\n    cancelled\n    rolledBack\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;