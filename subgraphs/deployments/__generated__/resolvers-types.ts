import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { DeploymentRow as DeploymentRowEntity } from '../entities/deployment';
import type { DeploymentEventRow as DeploymentEventRowEntity } from '../entities/deployment-event';
import type { NodeReference as NodeReferenceEntity, UserReference as UserReferenceEntity } from '../references';
import type { DeploymentsContext } from '../context';
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

/** An application version rolled out to one node, by the node's agent. */
export type Deployment = {
  __typename?: 'Deployment';
  /** The application's name, e.g. `billing-api`. */
  application: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** The target environment, e.g. `production`. */
  environment: Scalars['String']['output'];
  /**
   * Its status changes and logs, oldest first. `first`/`after` page forward from the beginning (or
   * from `after`); `last` gives the most recent ones (after `after`, if given). Use one of `first`
   * and `last`; with neither, the first 20.
   */
  events: DeploymentEventConnection;
  /** When it reached SUCCEEDED, FAILED or CANCELLED. */
  finishedAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  /** The node it runs on. */
  node: Node;
  /** For a rollback: the deployment it rolls back. */
  rollbackOf?: Maybe<Deployment>;
  /** When the agent claimed it; null while QUEUED. */
  startedAt?: Maybe<Scalars['DateTime']['output']>;
  status: DeploymentStatus;
  /**
   * On a deployment delivered by `deploymentUpdated`: the cursor of the change it reports, to pass
   * as that subscription's `after` to resume right after it. Null when read by a query.
   */
  streamCursor?: Maybe<Scalars['String']['output']>;
  /** Who created it (for an API key, the user who created the key). */
  triggeredBy: User;
  /** The version deployed, e.g. `1.4.2` or an image tag. */
  version: Scalars['String']['output'];
};


/** An application version rolled out to one node, by the node's agent. */
export type DeploymentEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};

export type DeploymentConnection = {
  __typename?: 'DeploymentConnection';
  edges: Array<DeploymentEdge>;
  pageInfo: PageInfo;
};

export type DeploymentEdge = {
  __typename?: 'DeploymentEdge';
  cursor: Scalars['String']['output'];
  node: Deployment;
};

/**
 * One entry of a deployment's history: a status change or a log line. Events of a deployment are
 * numbered without gaps, in order, so a client that remembers the last `cursor` it saw can resume
 * exactly after it.
 */
export type DeploymentEvent = {
  __typename?: 'DeploymentEvent';
  createdAt: Scalars['DateTime']['output'];
  /** Opaque and increasing within the deployment: pass it as `after` to resume after this event. */
  cursor: Scalars['String']['output'];
  deploymentId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  level: LogLevel;
  message: Scalars['String']['output'];
  /** For STATUS_CHANGED: the new status; null for LOG. */
  status?: Maybe<DeploymentStatus>;
  type: DeploymentEventType;
};

export type DeploymentEventConnection = {
  __typename?: 'DeploymentEventConnection';
  edges: Array<DeploymentEventEdge>;
  pageInfo: PageInfo;
};

export type DeploymentEventEdge = {
  __typename?: 'DeploymentEventEdge';
  cursor: Scalars['String']['output'];
  node: DeploymentEvent;
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

/** How many of the organization's deployments are in each status. */
export type DeploymentStats = {
  __typename?: 'DeploymentStats';
  cancelled: Scalars['Int']['output'];
  failed: Scalars['Int']['output'];
  queued: Scalars['Int']['output'];
  rolledBack: Scalars['Int']['output'];
  running: Scalars['Int']['output'];
  succeeded: Scalars['Int']['output'];
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

/** Severity of a deployment event. */
export type LogLevel =
  | 'DEBUG'
  | 'ERROR'
  | 'INFO'
  | 'WARN';

export type Mutation = {
  __typename?: 'Mutation';
  /** Cancels a QUEUED or RUNNING deployment (DEVELOPER or above). */
  cancelDeployment: Deployment;
  /**
   * Node agents only: hands the calling node's oldest QUEUED deployment (whose application is not
   * already RUNNING there) to the caller, now RUNNING; null when there is none. Never hands one
   * deployment to two agents.
   */
  claimDeployment?: Maybe<Deployment>;
  /**
   * Queues a deployment of an application version to a node (DEVELOPER or above). The node must be
   * visible to the caller and not DECOMMISSIONED.
   */
  createDeployment: Deployment;
  /**
   * Node agents only: appends logs to one of the calling node's deployments and, with `status`,
   * changes its status, atomically. A deployment that has finished takes no more logs: CONFLICT,
   * with its status in `extensions.from`. A report with neither logs nor status answers its status.
   * A decommissioned node's token reports nothing: UNAUTHENTICATED.
   */
  reportDeploymentProgress: Deployment;
  /**
   * Queues a deployment of the previous successful version of a SUCCEEDED deployment's application
   * on the same node and environment (DEVELOPER or above), with `rollbackOf` set. When it succeeds,
   * the original becomes ROLLED_BACK. CONFLICT (with the other deployment's id in
   * `extensions.deploymentId`) when the deployment did not succeed, a later deployment of its
   * application on that node and environment succeeded or is under way (a rollback of it
   * included), or no earlier successful version exists.
   */
  rollbackDeployment: Deployment;
};


export type MutationCancelDeploymentArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCreateDeploymentArgs = {
  input: CreateDeploymentInput;
};


export type MutationReportDeploymentProgressArgs = {
  input: ReportDeploymentProgressInput;
};


export type MutationRollbackDeploymentArgs = {
  id: Scalars['ID']['input'];
};

/** A node, as seen by the deployments subgraph: its deployments. */
export type Node = {
  __typename?: 'Node';
  /** Deployments to this node, newest first. */
  deployments: DeploymentConnection;
  id: Scalars['ID']['output'];
};


/** A node, as seen by the deployments subgraph: its deployments. */
export type NodeDeploymentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<DeploymentStatus>;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor?: Maybe<Scalars['String']['output']>;
};

export type Query = {
  __typename?: 'Query';
  /** A deployment of the caller's organization. */
  deployment?: Maybe<Deployment>;
  /** How many of the organization's deployments are in each status. */
  deploymentStats: DeploymentStats;
  /**
   * The cursor of the latest change in `deploymentUpdated`'s stream (authorized like it, with the
   * same `id` and `nodeId`), to pass as its `after`. Query it before loading the view the
   * subscription keeps current (e.g. `deployments`), in an earlier request: then subscribing with
   * it delivers every change made after the view was read, none missed (some changes the view
   * already shows may come again, each with the state it left).
   */
  deploymentUpdatedHead: Scalars['String']['output'];
  /** Deployments of the caller's organization, newest first. */
  deployments: DeploymentConnection;
};


export type QueryDeploymentArgs = {
  id: Scalars['ID']['input'];
};


export type QueryDeploymentUpdatedHeadArgs = {
  id?: InputMaybe<Scalars['ID']['input']>;
  nodeId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryDeploymentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<DeploymentFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type ReportDeploymentProgressInput = {
  deploymentId: Scalars['ID']['input'];
  /** Log lines to append (at most 500), in order, before the status change if there is one. */
  logs?: InputMaybe<Array<DeploymentLogInput>>;
  /** The new status; omitted or unchanged, the logs are only appended. */
  status?: InputMaybe<DeploymentStatus>;
};

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * A deployment's history as it grows: status changes and log lines, oldest first. Without
   * `after`, only events from now on; with `after` (the `cursor` of an event of this deployment),
   * first every stored event after it, then live ones, with no gap and no duplicate, so a log view
   * that reconnects with the cursor of the last event it received misses nothing.
   */
  deploymentEvents: DeploymentEvent;
  /**
   * Deployments of the caller's organization as they are created and change status: the
   * deployment's state after each change. `id` follows one deployment (NOT_FOUND when the caller
   * cannot see it), `nodeId` the deployments of one node; with both, both must match; with
   * neither, every deployment of the organization. A node agent may follow its own node only
   * (`nodeId` omitted means its own node), e.g. to learn about new work as soon as it is queued.
   * Every change is stored with its position in the organization's change stream. Without
   * `after`, only changes from now on; with `after` (the `streamCursor` of a deployment this
   * subscription delivered), first every matching change stored after it, then live ones, with
   * no gap and no duplicate. A cursor of another stream is BAD_USER_INPUT.
   * To start right after a view was loaded, pass `deploymentUpdatedHead`, read before the view. Changes
   * are kept for a retention (a week by default): an older cursor is CURSOR_EXPIRED (reload
   * the view, head first).
   */
  deploymentUpdated: Deployment;
};


export type SubscriptionDeploymentEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  deploymentId: Scalars['ID']['input'];
};


export type SubscriptionDeploymentUpdatedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  id?: InputMaybe<Scalars['ID']['input']>;
  nodeId?: InputMaybe<Scalars['ID']['input']>;
};

/** A user, as seen by the deployments subgraph: the deployments they triggered. */
export type User = {
  __typename?: 'User';
  /** Deployments this user triggered, newest first. */
  deployments: DeploymentConnection;
  id: Scalars['ID']['output'];
};


/** A user, as seen by the deployments subgraph: the deployments they triggered. */
export type UserDeploymentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
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
  Deployment: Deployment;
  Node: Node;
  User: User;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Deployment:
    ( { __typename: 'Deployment' }
    & GraphQLRecursivePick<FederationTypes['Deployment'], {"id":true}> );
  Node:
    ( { __typename: 'Node' }
    & GraphQLRecursivePick<FederationTypes['Node'], {"id":true}> );
  User:
    ( { __typename: 'User' }
    & GraphQLRecursivePick<FederationTypes['User'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  CreateDeploymentInput: CreateDeploymentInput;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Deployment: ResolverTypeWrapper<DeploymentRowEntity>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  DeploymentConnection: ResolverTypeWrapper<Omit<DeploymentConnection, 'edges'> & { edges: Array<ResolversTypes['DeploymentEdge']> }>;
  DeploymentEdge: ResolverTypeWrapper<Omit<DeploymentEdge, 'node'> & { node: ResolversTypes['Deployment'] }>;
  DeploymentEvent: ResolverTypeWrapper<DeploymentEventRowEntity>;
  DeploymentEventConnection: ResolverTypeWrapper<Omit<DeploymentEventConnection, 'edges'> & { edges: Array<ResolversTypes['DeploymentEventEdge']> }>;
  DeploymentEventEdge: ResolverTypeWrapper<Omit<DeploymentEventEdge, 'node'> & { node: ResolversTypes['DeploymentEvent'] }>;
  DeploymentEventType: DeploymentEventType;
  DeploymentFilter: DeploymentFilter;
  DeploymentLogInput: DeploymentLogInput;
  DeploymentStats: ResolverTypeWrapper<DeploymentStats>;
  DeploymentStatus: DeploymentStatus;
  LogLevel: LogLevel;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Node: ResolverTypeWrapper<NodeReferenceEntity>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  ReportDeploymentProgressInput: ReportDeploymentProgressInput;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  User: ResolverTypeWrapper<UserReferenceEntity>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  CreateDeploymentInput: CreateDeploymentInput;
  String: Scalars['String']['output'];
  ID: Scalars['ID']['output'];
  DateTime: Scalars['DateTime']['output'];
  Deployment: DeploymentRowEntity;
  Int: Scalars['Int']['output'];
  DeploymentConnection: Omit<DeploymentConnection, 'edges'> & { edges: Array<ResolversParentTypes['DeploymentEdge']> };
  DeploymentEdge: Omit<DeploymentEdge, 'node'> & { node: ResolversParentTypes['Deployment'] };
  DeploymentEvent: DeploymentEventRowEntity;
  DeploymentEventConnection: Omit<DeploymentEventConnection, 'edges'> & { edges: Array<ResolversParentTypes['DeploymentEventEdge']> };
  DeploymentEventEdge: Omit<DeploymentEventEdge, 'node'> & { node: ResolversParentTypes['DeploymentEvent'] };
  DeploymentFilter: DeploymentFilter;
  DeploymentLogInput: DeploymentLogInput;
  DeploymentStats: DeploymentStats;
  Mutation: Record<PropertyKey, never>;
  Node: NodeReferenceEntity;
  PageInfo: PageInfo;
  Boolean: Scalars['Boolean']['output'];
  Query: Record<PropertyKey, never>;
  ReportDeploymentProgressInput: ReportDeploymentProgressInput;
  Subscription: Record<PropertyKey, never>;
  User: UserReferenceEntity;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DeploymentResolvers<ContextType = DeploymentsContext, ParentType extends ResolversParentTypes['Deployment'] = ResolversParentTypes['Deployment'], FederationReferenceType extends FederationReferenceTypes['Deployment'] = FederationReferenceTypes['Deployment']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Deployment']> | FederationReferenceType, FederationReferenceType, ContextType>;
  application?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  environment?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  events?: Resolver<ResolversTypes['DeploymentEventConnection'], ParentType, ContextType, Partial<DeploymentEventsArgs>>;
  finishedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Node'], ParentType, ContextType>;
  rollbackOf?: Resolver<Maybe<ResolversTypes['Deployment']>, ParentType, ContextType>;
  startedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['DeploymentStatus'], ParentType, ContextType>;
  streamCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  triggeredBy?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type DeploymentConnectionResolvers<ContextType = DeploymentsContext, ParentType extends ResolversParentTypes['DeploymentConnection'] = ResolversParentTypes['DeploymentConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['DeploymentEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type DeploymentEdgeResolvers<ContextType = DeploymentsContext, ParentType extends ResolversParentTypes['DeploymentEdge'] = ResolversParentTypes['DeploymentEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Deployment'], ParentType, ContextType>;
}>;

export type DeploymentEventResolvers<ContextType = DeploymentsContext, ParentType extends ResolversParentTypes['DeploymentEvent'] = ResolversParentTypes['DeploymentEvent']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  deploymentId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  level?: Resolver<ResolversTypes['LogLevel'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  status?: Resolver<Maybe<ResolversTypes['DeploymentStatus']>, ParentType, ContextType>;
  type?: Resolver<ResolversTypes['DeploymentEventType'], ParentType, ContextType>;
}>;

export type DeploymentEventConnectionResolvers<ContextType = DeploymentsContext, ParentType extends ResolversParentTypes['DeploymentEventConnection'] = ResolversParentTypes['DeploymentEventConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['DeploymentEventEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type DeploymentEventEdgeResolvers<ContextType = DeploymentsContext, ParentType extends ResolversParentTypes['DeploymentEventEdge'] = ResolversParentTypes['DeploymentEventEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['DeploymentEvent'], ParentType, ContextType>;
}>;

export type DeploymentStatsResolvers<ContextType = DeploymentsContext, ParentType extends ResolversParentTypes['DeploymentStats'] = ResolversParentTypes['DeploymentStats']> = ResolversObject<{
  cancelled?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  failed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  queued?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  rolledBack?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  running?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  succeeded?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = DeploymentsContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  cancelDeployment?: Resolver<ResolversTypes['Deployment'], ParentType, ContextType, RequireFields<MutationCancelDeploymentArgs, 'id'>>;
  claimDeployment?: Resolver<Maybe<ResolversTypes['Deployment']>, ParentType, ContextType>;
  createDeployment?: Resolver<ResolversTypes['Deployment'], ParentType, ContextType, RequireFields<MutationCreateDeploymentArgs, 'input'>>;
  reportDeploymentProgress?: Resolver<ResolversTypes['Deployment'], ParentType, ContextType, RequireFields<MutationReportDeploymentProgressArgs, 'input'>>;
  rollbackDeployment?: Resolver<ResolversTypes['Deployment'], ParentType, ContextType, RequireFields<MutationRollbackDeploymentArgs, 'id'>>;
}>;

export type NodeResolvers<ContextType = DeploymentsContext, ParentType extends ResolversParentTypes['Node'] = ResolversParentTypes['Node'], FederationReferenceType extends FederationReferenceTypes['Node'] = FederationReferenceTypes['Node']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Node']> | FederationReferenceType, FederationReferenceType, ContextType>;
  deployments?: Resolver<ResolversTypes['DeploymentConnection'], ParentType, ContextType, RequireFields<NodeDeploymentsArgs, 'first'>>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type PageInfoResolvers<ContextType = DeploymentsContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasPreviousPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  startCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = DeploymentsContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  deployment?: Resolver<Maybe<ResolversTypes['Deployment']>, ParentType, ContextType, RequireFields<QueryDeploymentArgs, 'id'>>;
  deploymentStats?: Resolver<ResolversTypes['DeploymentStats'], ParentType, ContextType>;
  deploymentUpdatedHead?: Resolver<ResolversTypes['String'], ParentType, ContextType, Partial<QueryDeploymentUpdatedHeadArgs>>;
  deployments?: Resolver<ResolversTypes['DeploymentConnection'], ParentType, ContextType, RequireFields<QueryDeploymentsArgs, 'first'>>;
}>;

export type SubscriptionResolvers<ContextType = DeploymentsContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  deploymentEvents?: SubscriptionResolver<ResolversTypes['DeploymentEvent'], "deploymentEvents", ParentType, ContextType, RequireFields<SubscriptionDeploymentEventsArgs, 'deploymentId'>>;
  deploymentUpdated?: SubscriptionResolver<ResolversTypes['Deployment'], "deploymentUpdated", ParentType, ContextType, Partial<SubscriptionDeploymentUpdatedArgs>>;
}>;

export type UserResolvers<ContextType = DeploymentsContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User'], FederationReferenceType extends FederationReferenceTypes['User'] = FederationReferenceTypes['User']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['User']> | FederationReferenceType, FederationReferenceType, ContextType>;
  deployments?: Resolver<ResolversTypes['DeploymentConnection'], ParentType, ContextType, RequireFields<UserDeploymentsArgs, 'first'>>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = DeploymentsContext> = ResolversObject<{
  DateTime?: GraphQLScalarType;
  Deployment?: DeploymentResolvers<ContextType>;
  DeploymentConnection?: DeploymentConnectionResolvers<ContextType>;
  DeploymentEdge?: DeploymentEdgeResolvers<ContextType>;
  DeploymentEvent?: DeploymentEventResolvers<ContextType>;
  DeploymentEventConnection?: DeploymentEventConnectionResolvers<ContextType>;
  DeploymentEventEdge?: DeploymentEventEdgeResolvers<ContextType>;
  DeploymentStats?: DeploymentStatsResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Node?: NodeResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
}>;

