/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 date-time in UTC, e.g. `2026-11-22T05:12:54.000Z`. */
  DateTime: { input: string; output: string; }
};

export type AuthenticateNodeInput = {
  nodeId: Scalars['ID']['input'];
  /** Base64 Ed25519 signature, by the node's key, of the UTF-8 string `opsgraph-node-auth:<nodeId>:<timestamp>`. */
  signature: Scalars['String']['input'];
  /** Milliseconds since the epoch, as a decimal string. Accepted for 5 minutes, and only once. */
  timestamp: Scalars['String']['input'];
};

/** Who may see a channel. */
export type ChannelKind =
  /** Visible only to its members; others join only when a member adds them. */
  | 'PRIVATE'
  /** Visible to, and joinable by, everyone in the organization. */
  | 'PUBLIC';

export type CreateApiKeyInput = {
  name: Scalars['String']['input'];
  role: Role;
};

export type CreateChannelInput = {
  kind?: ChannelKind;
  /** Users of the caller's organization to add besides the caller, who always becomes a member. */
  memberIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** 1–80 characters, unique within the organization whatever the letter case. */
  name: Scalars['String']['input'];
  /** At most 250 characters. */
  topic?: InputMaybe<Scalars['String']['input']>;
};

export type CreateDeploymentInput = {
  /** 1–100 characters without spaces. */
  application: Scalars['String']['input'];
  /** 1–100 characters without spaces. */
  environment: Scalars['String']['input'];
  /** A node of the caller's organization that is not DECOMMISSIONED. */
  nodeId: Scalars['ID']['input'];
  /** 1–100 characters without spaces. */
  version: Scalars['String']['input'];
};

export type CreateUserInput = {
  displayName?: InputMaybe<Scalars['String']['input']>;
  email: Scalars['String']['input'];
  /** At least 10 characters. */
  password: Scalars['String']['input'];
  role: Role;
  username: Scalars['String']['input'];
};

/** What a deployment event records. */
export type DeploymentEventType =
  /** A log line reported by the node's agent. */
  | 'LOG'
  /** The deployment's status changed; `status` is the new one. */
  | 'STATUS_CHANGED';

/** Narrows `deployments`; fields left out match everything. */
export type DeploymentFilter = {
  /** Exact match. */
  application?: InputMaybe<Scalars['String']['input']>;
  /** Exact match. */
  environment?: InputMaybe<Scalars['String']['input']>;
  nodeId?: InputMaybe<Scalars['ID']['input']>;
  status?: InputMaybe<DeploymentStatus>;
};

/** One log line reported by a node's agent. */
export type DeploymentLogInput = {
  level?: LogLevel;
  /** 1–10000 characters. */
  message: Scalars['String']['input'];
};

/**
 * Where a deployment is in its life. Allowed changes: QUEUED → RUNNING or CANCELLED; RUNNING →
 * SUCCEEDED, FAILED or CANCELLED; SUCCEEDED → ROLLED_BACK (when a rollback of it succeeds). Any
 * other change fails with CONFLICT.
 */
export type DeploymentStatus =
  /** Stopped by a user (or the agent) before it finished. */
  | 'CANCELLED'
  /** Finished unsuccessfully; the events say why. */
  | 'FAILED'
  /** Waiting for the node's agent to claim it. */
  | 'QUEUED'
  /** Succeeded, then replaced by a successful rollback to an earlier version. */
  | 'ROLLED_BACK'
  /** Claimed by the node's agent and in progress. At most one per application and node. */
  | 'RUNNING'
  /** Finished successfully. */
  | 'SUCCEEDED';

export type HeartbeatInput = {
  cpuPercent: Scalars['Float']['input'];
  /**
   * The deployments the agent is running (at most 100): each one's claim lease is renewed, so a
   * long step without reports does not fail it. A RUNNING deployment of the node that no heartbeat
   * or report mentions for `DEPLOYMENT_LEASE_MS` becomes FAILED.
   */
  deploymentIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  diskPercent: Scalars['Float']['input'];
  memoryPercent: Scalars['Float']['input'];
  /** The agent's version, e.g. `0.1.0`. */
  version?: InputMaybe<Scalars['String']['input']>;
};

/** Severity of a deployment event. */
export type LogLevel =
  | 'DEBUG'
  | 'ERROR'
  | 'INFO'
  | 'WARN';

export type LoginInput = {
  password: Scalars['String']['input'];
  /** A username or an email address, in any letter case. */
  usernameOrEmail: Scalars['String']['input'];
};

/** Narrows `nodes`; fields left out match everything. */
export type NodeFilter = {
  kind?: InputMaybe<NodeKind>;
  /** Exact match. */
  region?: InputMaybe<Scalars['String']['input']>;
  status?: InputMaybe<NodeStatus>;
};

/** What kind of host a node is. */
export type NodeKind =
  /** A host running Docker Engine. */
  | 'DOCKER_HOST'
  /** A Kubernetes cluster, reached through its agent. */
  | 'KUBERNETES'
  /** A bare-metal server. */
  | 'PHYSICAL'
  /** A Docker Swarm manager. */
  | 'SWARM'
  /** A virtual machine. */
  | 'VM';

/**
 * Where a node is in its life. Registration makes it PENDING; its first heartbeat makes it ONLINE
 * (or DEGRADED); silence longer than the configured timeout makes it OFFLINE; decommissioning is
 * final.
 */
export type NodeStatus =
  /** Retired: it can no longer authenticate or heartbeat. */
  | 'DECOMMISSIONED'
  /** Heartbeating, but CPU, memory or disk usage is at or above its threshold. */
  | 'DEGRADED'
  /** No heartbeat for longer than the configured timeout. */
  | 'OFFLINE'
  /** Heartbeating, all metrics below the thresholds. */
  | 'ONLINE'
  /** Registered, no heartbeat yet. */
  | 'PENDING';

export type PostMessageInput = {
  /**
   * The text, stored exactly as sent. Moderation refuses it with CONTENT_REJECTED (and a `reason`
   * in the error's extensions: EMPTY, TOO_LONG, BLOCKED_WORD, LINK_SPAM or FLOODING).
   */
  body: Scalars['String']['input'];
  channelId: Scalars['ID']['input'];
  /**
   * A value the client picks once per message it sends (e.g. a UUID), at most 128 characters.
   * Retrying with the same value returns the message already stored instead of posting it again.
   */
  clientMessageId?: InputMaybe<Scalars['String']['input']>;
};

export type RegisterNodeInput = {
  kind: NodeKind;
  /** At most 32 labels of 1–63 letters, digits, `.`, `_`, `-`, `/`, `:` or `=`; duplicates are dropped. */
  labels?: InputMaybe<Array<Scalars['String']['input']>>;
  /** 1–63 letters, digits, `.`, `_` or `-`, starting with a letter or digit. */
  name: Scalars['String']['input'];
  /** The node's Ed25519 public key: base64 of its raw 32 bytes. */
  publicKey: Scalars['String']['input'];
  /** 1–64 letters, digits, `.`, `_` or `-`, starting with a letter or digit. */
  region: Scalars['String']['input'];
};

export type ReportDeploymentProgressInput = {
  deploymentId: Scalars['ID']['input'];
  /** Log lines to append (at most 500), in order, before the status change if there is one. */
  logs?: InputMaybe<Array<DeploymentLogInput>>;
  /** The new status; omitted or unchanged, the logs are only appended. */
  status?: InputMaybe<DeploymentStatus>;
};

/**
 * What a user may do inside their organization. Each role includes the ones below it:
 * ADMIN > OPERATOR > DEVELOPER > VIEWER.
 */
export type Role =
  /** Manages users and API keys, and everything an OPERATOR does. */
  | 'ADMIN'
  /** Creates deployments and chats, and reads everything a VIEWER does. */
  | 'DEVELOPER'
  /** Manages nodes, and everything a DEVELOPER does. */
  | 'OPERATOR'
  /** Reads the organization's nodes, deployments and channels. */
  | 'VIEWER';

export type SignUpInput = {
  email: Scalars['String']['input'];
  /** Name of the new organization; its slug is derived from it. */
  organizationName: Scalars['String']['input'];
  /** At least 10 characters. */
  password: Scalars['String']['input'];
  username: Scalars['String']['input'];
};

export type DeploymentFieldsFragment = { __typename?: 'Deployment', id: string, application: string, version: string, environment: string, status: DeploymentStatus, createdAt: string, startedAt?: string | null, finishedAt?: string | null, node: { __typename?: 'Node', id: string }, triggeredBy: { __typename?: 'User', id: string }, rollbackOf?: { __typename?: 'Deployment', id: string } | null };

export type CreateDeploymentMutationVariables = Exact<{
  input: CreateDeploymentInput;
}>;


export type CreateDeploymentMutation = { __typename?: 'Mutation', createDeployment: { __typename?: 'Deployment', id: string, application: string, version: string, environment: string, status: DeploymentStatus, createdAt: string, startedAt?: string | null, finishedAt?: string | null, node: { __typename?: 'Node', id: string }, triggeredBy: { __typename?: 'User', id: string }, rollbackOf?: { __typename?: 'Deployment', id: string } | null } };

export type CancelDeploymentMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type CancelDeploymentMutation = { __typename?: 'Mutation', cancelDeployment: { __typename?: 'Deployment', id: string, application: string, version: string, environment: string, status: DeploymentStatus, createdAt: string, startedAt?: string | null, finishedAt?: string | null, node: { __typename?: 'Node', id: string }, triggeredBy: { __typename?: 'User', id: string }, rollbackOf?: { __typename?: 'Deployment', id: string } | null } };

export type RollbackDeploymentMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type RollbackDeploymentMutation = { __typename?: 'Mutation', rollbackDeployment: { __typename?: 'Deployment', id: string, application: string, version: string, environment: string, status: DeploymentStatus, createdAt: string, startedAt?: string | null, finishedAt?: string | null, node: { __typename?: 'Node', id: string }, triggeredBy: { __typename?: 'User', id: string }, rollbackOf?: { __typename?: 'Deployment', id: string } | null } };

export type ClaimDeploymentMutationVariables = Exact<{ [key: string]: never; }>;


export type ClaimDeploymentMutation = { __typename?: 'Mutation', claimDeployment?: { __typename?: 'Deployment', id: string, application: string, version: string, environment: string, status: DeploymentStatus, createdAt: string, startedAt?: string | null, finishedAt?: string | null, node: { __typename?: 'Node', id: string }, triggeredBy: { __typename?: 'User', id: string }, rollbackOf?: { __typename?: 'Deployment', id: string } | null } | null };

export type ReportDeploymentProgressMutationVariables = Exact<{
  input: ReportDeploymentProgressInput;
}>;


export type ReportDeploymentProgressMutation = { __typename?: 'Mutation', reportDeploymentProgress: { __typename?: 'Deployment', id: string, application: string, version: string, environment: string, status: DeploymentStatus, createdAt: string, startedAt?: string | null, finishedAt?: string | null, node: { __typename?: 'Node', id: string }, triggeredBy: { __typename?: 'User', id: string }, rollbackOf?: { __typename?: 'Deployment', id: string } | null } };

export type DeploymentEventsQueryVariables = Exact<{
  id: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
}>;


export type DeploymentEventsQuery = { __typename?: 'Query', deployment?: { __typename?: 'Deployment', events: { __typename?: 'DeploymentEventConnection', edges: Array<{ __typename?: 'DeploymentEventEdge', cursor: string, node: { __typename?: 'DeploymentEvent', id: string, cursor: string, deploymentId: string, type: DeploymentEventType, status?: DeploymentStatus | null, level: LogLevel, message: string, createdAt: string } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, startCursor?: string | null, endCursor?: string | null } } } | null };

export type DeploymentStatsQueryVariables = Exact<{ [key: string]: never; }>;


export type DeploymentStatsQuery = { __typename?: 'Query', deploymentStats: { __typename?: 'DeploymentStats', queued: number, running: number, succeeded: number, failed: number, cancelled: number, rolledBack: number } };

export const DeploymentFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeploymentFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Deployment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"application"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"triggeredBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rollbackOf"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<DeploymentFieldsFragment, unknown>;
export const CreateDeploymentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateDeployment"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateDeploymentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createDeployment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DeploymentFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeploymentFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Deployment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"application"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"triggeredBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rollbackOf"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<CreateDeploymentMutation, CreateDeploymentMutationVariables>;
export const CancelDeploymentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CancelDeployment"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cancelDeployment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DeploymentFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeploymentFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Deployment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"application"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"triggeredBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rollbackOf"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<CancelDeploymentMutation, CancelDeploymentMutationVariables>;
export const RollbackDeploymentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RollbackDeployment"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rollbackDeployment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DeploymentFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeploymentFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Deployment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"application"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"triggeredBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rollbackOf"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<RollbackDeploymentMutation, RollbackDeploymentMutationVariables>;
export const ClaimDeploymentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ClaimDeployment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"claimDeployment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DeploymentFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeploymentFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Deployment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"application"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"triggeredBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rollbackOf"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<ClaimDeploymentMutation, ClaimDeploymentMutationVariables>;
export const ReportDeploymentProgressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReportDeploymentProgress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReportDeploymentProgressInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reportDeploymentProgress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DeploymentFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeploymentFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Deployment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"application"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"triggeredBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rollbackOf"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<ReportDeploymentProgressMutation, ReportDeploymentProgressMutationVariables>;
export const DeploymentEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DeploymentEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deployment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"events"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"deploymentId"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]}}]} as unknown as DocumentNode<DeploymentEventsQuery, DeploymentEventsQueryVariables>;
export const DeploymentStatsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DeploymentStats"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deploymentStats"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"queued"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"cancelled"}},{"kind":"Field","name":{"kind":"Name","value":"rolledBack"}}]}}]}}]} as unknown as DocumentNode<DeploymentStatsQuery, DeploymentStatsQueryVariables>;