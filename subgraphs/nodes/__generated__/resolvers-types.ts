import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { NodeRow as NodeRowEntity } from '../entities/node';
import type { NodesContext } from '../context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 date-time in UTC, e.g. `2026-11-22T05:12:54.000Z`. */
  DateTime: { input: Date | string; output: Date | string; }
  _FieldSet: { input: unknown; output: unknown; }
};

export type AuthenticateNodeInput = {
  nodeId: Scalars['ID']['input'];
  /** Base64 Ed25519 signature, by the node's key, of the UTF-8 string `opsgraph-node-auth:<nodeId>:<timestamp>`. */
  signature: Scalars['String']['input'];
  /** Milliseconds since the epoch, as a decimal string. Accepted for 5 minutes, and only once. */
  timestamp: Scalars['String']['input'];
};

/** A node token, returned by `authenticateNode`. */
export type AuthenticateNodePayload = {
  __typename?: 'AuthenticateNodePayload';
  /** When `token` expires; authenticate again before then. */
  expiresAt: Scalars['DateTime']['output'];
  node: Node;
  /** Short-lived bearer token for agent operations: send it as `Authorization: Bearer <token>`. */
  token: Scalars['String']['output'];
};

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
  /** The agent's version, e.g. `0.1.0`: 1–64 characters (spaces around it are trimmed). */
  version?: InputMaybe<Scalars['String']['input']>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Exchanges a fresh signature by the node's key for a node token (no other credential needed).
   * Bad or replayed signatures, stale or future timestamps and decommissioned nodes fail with
   * UNAUTHENTICATED.
   */
  authenticateNode: AuthenticateNodePayload;
  /**
   * Retires a node for good (OPERATOR or ADMIN): it can no longer authenticate, heartbeat or report
   * on its deployments (UNAUTHENTICATED, even with a node token issued before).
   */
  decommissionNode: Node;
  /**
   * Reports the calling node's metrics (node token only). Sets it ONLINE, or DEGRADED when a
   * metric is at or above its configured threshold.
   */
  heartbeat: Node;
  /**
   * Registers a node (OPERATOR or ADMIN) in PENDING status. A public key already registered to a
   * node of the organization fails with CONFLICT, whose `nodeId` extension names that node.
   */
  registerNode: Node;
};


export type MutationAuthenticateNodeArgs = {
  input: AuthenticateNodeInput;
};


export type MutationDecommissionNodeArgs = {
  id: Scalars['ID']['input'];
};


export type MutationHeartbeatArgs = {
  input: HeartbeatInput;
};


export type MutationRegisterNodeArgs = {
  input: RegisterNodeInput;
};

/** A server, VM or cluster that runs the opsgraph agent and receives deployments. */
export type Node = {
  __typename?: 'Node';
  /** Agent version reported by the last heartbeat. */
  agentVersion?: Maybe<Scalars['String']['output']>;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  kind: NodeKind;
  /** Free-form tags such as `gpu` or `tier=edge`. */
  labels: Array<Scalars['String']['output']>;
  /** When the last heartbeat arrived; null before the first. */
  lastHeartbeatAt?: Maybe<Scalars['DateTime']['output']>;
  /** Resource usage from the last heartbeat; null before the first. */
  metrics?: Maybe<NodeMetrics>;
  /** Unique among the organization's nodes that are not decommissioned, compared case-insensitively. */
  name: Scalars['String']['output'];
  /** The node's Ed25519 public key, base64 of its raw 32 bytes: `authenticateNode` verifies signatures with it. */
  publicKey: Scalars['String']['output'];
  /** Free-form location, e.g. `eu-west-1`; `nodes(filter: {region})` matches it exactly. */
  region: Scalars['String']['output'];
  /** Who registered the node (for an API key, the user who created the key). */
  registeredBy?: Maybe<User>;
  status: NodeStatus;
  /** When `status` last changed. */
  statusChangedAt: Scalars['DateTime']['output'];
  /**
   * On a node delivered by `nodeStatusChanged`: the cursor of the status change it reports, to
   * pass as that subscription's `after` to resume right after it. Null when read by a query.
   */
  streamCursor?: Maybe<Scalars['String']['output']>;
};

export type NodeConnection = {
  __typename?: 'NodeConnection';
  edges: Array<NodeEdge>;
  pageInfo: PageInfo;
};

export type NodeEdge = {
  __typename?: 'NodeEdge';
  cursor: Scalars['String']['output'];
  node: Node;
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

/** Resource usage reported by a node's last heartbeat, in percent (0–100). */
export type NodeMetrics = {
  __typename?: 'NodeMetrics';
  cpuPercent: Scalars['Float']['output'];
  diskPercent: Scalars['Float']['output'];
  memoryPercent: Scalars['Float']['output'];
};

/**
 * Where a node is in its life. Registration makes it PENDING; its first heartbeat makes it ONLINE
 * (or DEGRADED); silence longer than the configured timeout makes it OFFLINE; decommissioning is
 * final.
 */
export type NodeStatus =
  /** Retired: it can no longer authenticate, heartbeat or report on its deployments. */
  | 'DECOMMISSIONED'
  /** Heartbeating, but CPU, memory or disk usage is at or above its threshold. */
  | 'DEGRADED'
  /** No heartbeat for longer than the configured timeout. */
  | 'OFFLINE'
  /** Heartbeating, all metrics below the thresholds. */
  | 'ONLINE'
  /** Registered, no heartbeat yet. */
  | 'PENDING';

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor?: Maybe<Scalars['String']['output']>;
};

export type Query = {
  __typename?: 'Query';
  /** A node of the caller's organization. A node token may read its own node only. */
  node?: Maybe<Node>;
  /**
   * The cursor of the latest change in `nodeStatusChanged`'s stream (authorized like it, with the
   * same `nodeId`), to pass as its `after`. Query it before loading the view the subscription
   * keeps current (e.g. `nodes`), in an earlier request: then subscribing with it delivers every
   * change made after the view was read, none missed (some changes the view already shows may come
   * again, each with the state it left).
   */
  nodeStatusChangedHead: Scalars['String']['output'];
  /** Nodes of the caller's organization, oldest first. */
  nodes: NodeConnection;
};


export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


export type QueryNodeStatusChangedHeadArgs = {
  nodeId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryNodesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<NodeFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
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

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Status changes of the organization's nodes (registration, first heartbeat, DEGRADED, OFFLINE,
   * decommissioning): the node with the status it changed to. With `nodeId`, one node (NOT_FOUND
   * when the caller cannot see it; a node agent may follow its own node); without, every node of
   * the caller's organization (users only). Every change is stored with its position in the
   * organization's change stream. Without `after`, only changes from now on; with `after` (the
   * `streamCursor` of a node this subscription delivered), first every matching change stored
   * after it, then live ones, with no gap and no duplicate. A cursor of another stream is
   * BAD_USER_INPUT.
   * To start right after a view was loaded, pass `nodeStatusChangedHead`, read before the view. Changes
   * are kept for a retention (a week by default): an older cursor is CURSOR_EXPIRED (reload
   * the view, head first).
   */
  nodeStatusChanged: Node;
};


export type SubscriptionNodeStatusChangedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  nodeId?: InputMaybe<Scalars['ID']['input']>;
};

/** A user of opsgraph, resolved by the users subgraph. */
export type User = {
  __typename?: 'User';
  id: Scalars['ID']['output'];
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = ResolversObject<{
  Node: Node;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Node:
    ( { __typename: 'Node' }
    & GraphQLRecursivePick<FederationTypes['Node'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  AuthenticateNodeInput: AuthenticateNodeInput;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  AuthenticateNodePayload: ResolverTypeWrapper<Omit<AuthenticateNodePayload, 'node'> & { node: ResolversTypes['Node'] }>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  HeartbeatInput: HeartbeatInput;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Node: ResolverTypeWrapper<NodeRowEntity>;
  NodeConnection: ResolverTypeWrapper<Omit<NodeConnection, 'edges'> & { edges: Array<ResolversTypes['NodeEdge']> }>;
  NodeEdge: ResolverTypeWrapper<Omit<NodeEdge, 'node'> & { node: ResolversTypes['Node'] }>;
  NodeFilter: NodeFilter;
  NodeKind: NodeKind;
  NodeMetrics: ResolverTypeWrapper<NodeMetrics>;
  NodeStatus: NodeStatus;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  RegisterNodeInput: RegisterNodeInput;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  User: ResolverTypeWrapper<User>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  AuthenticateNodeInput: AuthenticateNodeInput;
  ID: Scalars['ID']['output'];
  String: Scalars['String']['output'];
  AuthenticateNodePayload: Omit<AuthenticateNodePayload, 'node'> & { node: ResolversParentTypes['Node'] };
  DateTime: Scalars['DateTime']['output'];
  HeartbeatInput: HeartbeatInput;
  Float: Scalars['Float']['output'];
  Mutation: Record<PropertyKey, never>;
  Node: NodeRowEntity;
  NodeConnection: Omit<NodeConnection, 'edges'> & { edges: Array<ResolversParentTypes['NodeEdge']> };
  NodeEdge: Omit<NodeEdge, 'node'> & { node: ResolversParentTypes['Node'] };
  NodeFilter: NodeFilter;
  NodeMetrics: NodeMetrics;
  PageInfo: PageInfo;
  Boolean: Scalars['Boolean']['output'];
  Query: Record<PropertyKey, never>;
  Int: Scalars['Int']['output'];
  RegisterNodeInput: RegisterNodeInput;
  Subscription: Record<PropertyKey, never>;
  User: User;
}>;

export type AuthenticateNodePayloadResolvers<ContextType = NodesContext, ParentType extends ResolversParentTypes['AuthenticateNodePayload'] = ResolversParentTypes['AuthenticateNodePayload']> = ResolversObject<{
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Node'], ParentType, ContextType>;
  token?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type MutationResolvers<ContextType = NodesContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  authenticateNode?: Resolver<ResolversTypes['AuthenticateNodePayload'], ParentType, ContextType, RequireFields<MutationAuthenticateNodeArgs, 'input'>>;
  decommissionNode?: Resolver<ResolversTypes['Node'], ParentType, ContextType, RequireFields<MutationDecommissionNodeArgs, 'id'>>;
  heartbeat?: Resolver<ResolversTypes['Node'], ParentType, ContextType, RequireFields<MutationHeartbeatArgs, 'input'>>;
  registerNode?: Resolver<ResolversTypes['Node'], ParentType, ContextType, RequireFields<MutationRegisterNodeArgs, 'input'>>;
}>;

export type NodeResolvers<ContextType = NodesContext, ParentType extends ResolversParentTypes['Node'] = ResolversParentTypes['Node'], FederationReferenceType extends FederationReferenceTypes['Node'] = FederationReferenceTypes['Node']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Node']> | FederationReferenceType, FederationReferenceType, ContextType>;
  agentVersion?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['NodeKind'], ParentType, ContextType>;
  labels?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  lastHeartbeatAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  metrics?: Resolver<Maybe<ResolversTypes['NodeMetrics']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  publicKey?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  region?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  registeredBy?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['NodeStatus'], ParentType, ContextType>;
  statusChangedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  streamCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type NodeConnectionResolvers<ContextType = NodesContext, ParentType extends ResolversParentTypes['NodeConnection'] = ResolversParentTypes['NodeConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['NodeEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type NodeEdgeResolvers<ContextType = NodesContext, ParentType extends ResolversParentTypes['NodeEdge'] = ResolversParentTypes['NodeEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Node'], ParentType, ContextType>;
}>;

export type NodeMetricsResolvers<ContextType = NodesContext, ParentType extends ResolversParentTypes['NodeMetrics'] = ResolversParentTypes['NodeMetrics']> = ResolversObject<{
  cpuPercent?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  diskPercent?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  memoryPercent?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type PageInfoResolvers<ContextType = NodesContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasPreviousPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  startCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = NodesContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  node?: Resolver<Maybe<ResolversTypes['Node']>, ParentType, ContextType, RequireFields<QueryNodeArgs, 'id'>>;
  nodeStatusChangedHead?: Resolver<ResolversTypes['String'], ParentType, ContextType, Partial<QueryNodeStatusChangedHeadArgs>>;
  nodes?: Resolver<ResolversTypes['NodeConnection'], ParentType, ContextType, RequireFields<QueryNodesArgs, 'first'>>;
}>;

export type SubscriptionResolvers<ContextType = NodesContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  nodeStatusChanged?: SubscriptionResolver<ResolversTypes['Node'], "nodeStatusChanged", ParentType, ContextType, Partial<SubscriptionNodeStatusChangedArgs>>;
}>;

export type UserResolvers<ContextType = NodesContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = NodesContext> = ResolversObject<{
  AuthenticateNodePayload?: AuthenticateNodePayloadResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  Node?: NodeResolvers<ContextType>;
  NodeConnection?: NodeConnectionResolvers<ContextType>;
  NodeEdge?: NodeEdgeResolvers<ContextType>;
  NodeMetrics?: NodeMetricsResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
}>;

