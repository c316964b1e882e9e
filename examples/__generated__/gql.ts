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
    "query ChatChannel($id: ID!, $before: String) {\n  channel(id: $id) {\n    id\n    name\n    topic\n    messages(last: 50, before: $before) {\n      edges {\n        node {\n          ...ChatMessage\n        }\n      }\n      pageInfo {\n        hasPreviousPage\n        startCursor\n      }\n    }\n  }\n}\n\nsubscription ChatMessageAdded($channelId: ID!, $after: String) {\n  messageAdded(channelId: $channelId, after: $after) {\n    ...ChatMessage\n  }\n}\n\nfragment ChatMessage on Message {\n  id\n  cursor\n  body\n  createdAt\n  editedAt\n  deleted\n  author {\n    id\n    username\n    displayName\n  }\n}": typeof types.ChatChannelDocument,
    "query Dashboard($after: String) {\n  deployments(first: 50, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        application\n        version\n        environment\n        status\n        createdAt\n        finishedAt\n        node {\n          id\n          name\n          region\n          status\n        }\n        triggeredBy {\n          id\n          username\n        }\n        events(last: 3) {\n          ...DeploymentEventEdges\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.DashboardDocument,
    "query DeploymentLog($id: ID!, $after: String) {\n  deployment(id: $id) {\n    id\n    application\n    version\n    environment\n    status\n    node {\n      id\n      name\n      region\n    }\n    events(first: 500, after: $after) {\n      ...DeploymentEventEdges\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nsubscription DeploymentLogEvents($deploymentId: ID!, $after: String) {\n  deploymentEvents(deploymentId: $deploymentId, after: $after) {\n    ...DeploymentEventFields\n  }\n}": typeof types.DeploymentLogDocument,
    "fragment DeploymentEventFields on DeploymentEvent {\n  id\n  cursor\n  type\n  status\n  level\n  message\n  createdAt\n}\n\nfragment DeploymentEventEdges on DeploymentEventConnection {\n  edges {\n    node {\n      ...DeploymentEventFields\n    }\n  }\n}\n\nfragment CurrentUser on User {\n  id\n  username\n  displayName\n  role\n  organization {\n    id\n    name\n    slug\n  }\n}": typeof types.DeploymentEventFieldsFragmentDoc,
    "mutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...Session\n  }\n}\n\nmutation RefreshSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    ...Session\n  }\n}\n\nfragment Session on AuthPayload {\n  accessToken\n  refreshToken\n  expiresAt\n  user {\n    ...CurrentUser\n  }\n}": typeof types.LoginDocument,
    "query Me {\n  me {\n    ...CurrentUser\n  }\n}": typeof types.MeDocument,
    "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    accessToken\n    refreshToken\n    expiresAt\n    user {\n      id\n      username\n      role\n    }\n  }\n}": typeof types.SignUpDocument,
};
const documents: Documents = {
    "query ChatChannel($id: ID!, $before: String) {\n  channel(id: $id) {\n    id\n    name\n    topic\n    messages(last: 50, before: $before) {\n      edges {\n        node {\n          ...ChatMessage\n        }\n      }\n      pageInfo {\n        hasPreviousPage\n        startCursor\n      }\n    }\n  }\n}\n\nsubscription ChatMessageAdded($channelId: ID!, $after: String) {\n  messageAdded(channelId: $channelId, after: $after) {\n    ...ChatMessage\n  }\n}\n\nfragment ChatMessage on Message {\n  id\n  cursor\n  body\n  createdAt\n  editedAt\n  deleted\n  author {\n    id\n    username\n    displayName\n  }\n}": types.ChatChannelDocument,
    "query Dashboard($after: String) {\n  deployments(first: 50, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        application\n        version\n        environment\n        status\n        createdAt\n        finishedAt\n        node {\n          id\n          name\n          region\n          status\n        }\n        triggeredBy {\n          id\n          username\n        }\n        events(last: 3) {\n          ...DeploymentEventEdges\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.DashboardDocument,
    "query DeploymentLog($id: ID!, $after: String) {\n  deployment(id: $id) {\n    id\n    application\n    version\n    environment\n    status\n    node {\n      id\n      name\n      region\n    }\n    events(first: 500, after: $after) {\n      ...DeploymentEventEdges\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nsubscription DeploymentLogEvents($deploymentId: ID!, $after: String) {\n  deploymentEvents(deploymentId: $deploymentId, after: $after) {\n    ...DeploymentEventFields\n  }\n}": types.DeploymentLogDocument,
    "fragment DeploymentEventFields on DeploymentEvent {\n  id\n  cursor\n  type\n  status\n  level\n  message\n  createdAt\n}\n\nfragment DeploymentEventEdges on DeploymentEventConnection {\n  edges {\n    node {\n      ...DeploymentEventFields\n    }\n  }\n}\n\nfragment CurrentUser on User {\n  id\n  username\n  displayName\n  role\n  organization {\n    id\n    name\n    slug\n  }\n}": types.DeploymentEventFieldsFragmentDoc,
    "mutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...Session\n  }\n}\n\nmutation RefreshSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    ...Session\n  }\n}\n\nfragment Session on AuthPayload {\n  accessToken\n  refreshToken\n  expiresAt\n  user {\n    ...CurrentUser\n  }\n}": types.LoginDocument,
    "query Me {\n  me {\n    ...CurrentUser\n  }\n}": types.MeDocument,
    "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    accessToken\n    refreshToken\n    expiresAt\n    user {\n      id\n      username\n      role\n    }\n  }\n}": types.SignUpDocument,
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
export function graphql(source: "query ChatChannel($id: ID!, $before: String) {\n  channel(id: $id) {\n    id\n    name\n    topic\n    messages(last: 50, before: $before) {\n      edges {\n        node {\n          ...ChatMessage\n        }\n      }\n      pageInfo {\n        hasPreviousPage\n        startCursor\n      }\n    }\n  }\n}\n\nsubscription ChatMessageAdded($channelId: ID!, $after: String) {\n  messageAdded(channelId: $channelId, after: $after) {\n    ...ChatMessage\n  }\n}\n\nfragment ChatMessage on Message {\n  id\n  cursor\n  body\n  createdAt\n  editedAt\n  deleted\n  author {\n    id\n    username\n    displayName\n  }\n}"): (typeof documents)["query ChatChannel($id: ID!, $before: String) {\n  channel(id: $id) {\n    id\n    name\n    topic\n    messages(last: 50, before: $before) {\n      edges {\n        node {\n          ...ChatMessage\n        }\n      }\n      pageInfo {\n        hasPreviousPage\n        startCursor\n      }\n    }\n  }\n}\n\nsubscription ChatMessageAdded($channelId: ID!, $after: String) {\n  messageAdded(channelId: $channelId, after: $after) {\n    ...ChatMessage\n  }\n}\n\nfragment ChatMessage on Message {\n  id\n  cursor\n  body\n  createdAt\n  editedAt\n  deleted\n  author {\n    id\n    username\n    displayName\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Dashboard($after: String) {\n  deployments(first: 50, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        application\n        version\n        environment\n        status\n        createdAt\n        finishedAt\n        node {\n          id\n          name\n          region\n          status\n        }\n        triggeredBy {\n          id\n          username\n        }\n        events(last: 3) {\n          ...DeploymentEventEdges\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query Dashboard($after: String) {\n  deployments(first: 50, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        application\n        version\n        environment\n        status\n        createdAt\n        finishedAt\n        node {\n          id\n          name\n          region\n          status\n        }\n        triggeredBy {\n          id\n          username\n        }\n        events(last: 3) {\n          ...DeploymentEventEdges\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query DeploymentLog($id: ID!, $after: String) {\n  deployment(id: $id) {\n    id\n    application\n    version\n    environment\n    status\n    node {\n      id\n      name\n      region\n    }\n    events(first: 500, after: $after) {\n      ...DeploymentEventEdges\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nsubscription DeploymentLogEvents($deploymentId: ID!, $after: String) {\n  deploymentEvents(deploymentId: $deploymentId, after: $after) {\n    ...DeploymentEventFields\n  }\n}"): (typeof documents)["query DeploymentLog($id: ID!, $after: String) {\n  deployment(id: $id) {\n    id\n    application\n    version\n    environment\n    status\n    node {\n      id\n      name\n      region\n    }\n    events(first: 500, after: $after) {\n      ...DeploymentEventEdges\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nsubscription DeploymentLogEvents($deploymentId: ID!, $after: String) {\n  deploymentEvents(deploymentId: $deploymentId, after: $after) {\n    ...DeploymentEventFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment DeploymentEventFields on DeploymentEvent {\n  id\n  cursor\n  type\n  status\n  level\n  message\n  createdAt\n}\n\nfragment DeploymentEventEdges on DeploymentEventConnection {\n  edges {\n    node {\n      ...DeploymentEventFields\n    }\n  }\n}\n\nfragment CurrentUser on User {\n  id\n  username\n  displayName\n  role\n  organization {\n    id\n    name\n    slug\n  }\n}"): (typeof documents)["fragment DeploymentEventFields on DeploymentEvent {\n  id\n  cursor\n  type\n  status\n  level\n  message\n  createdAt\n}\n\nfragment DeploymentEventEdges on DeploymentEventConnection {\n  edges {\n    node {\n      ...DeploymentEventFields\n    }\n  }\n}\n\nfragment CurrentUser on User {\n  id\n  username\n  displayName\n  role\n  organization {\n    id\n    name\n    slug\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...Session\n  }\n}\n\nmutation RefreshSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    ...Session\n  }\n}\n\nfragment Session on AuthPayload {\n  accessToken\n  refreshToken\n  expiresAt\n  user {\n    ...CurrentUser\n  }\n}"): (typeof documents)["mutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...Session\n  }\n}\n\nmutation RefreshSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    ...Session\n  }\n}\n\nfragment Session on AuthPayload {\n  accessToken\n  refreshToken\n  expiresAt\n  user {\n    ...CurrentUser\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Me {\n  me {\n    ...CurrentUser\n  }\n}"): (typeof documents)["query Me {\n  me {\n    ...CurrentUser\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    accessToken\n    refreshToken\n    expiresAt\n    user {\n      id\n      username\n      role\n    }\n  }\n}"): (typeof documents)["mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    accessToken\n    refreshToken\n    expiresAt\n    user {\n      id\n      username\n      role\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;