import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { ChannelRow as ChannelRowEntity } from '../entities/channel';
import type { MessageRow as MessageRowEntity } from '../entities/message';
import type { MessagesContext } from '../context';
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

/**
 * A chat room of an organization. Reading a public channel needs no membership; posting in any
 * channel does.
 */
export type Channel = {
  __typename?: 'Channel';
  createdAt: Scalars['DateTime']['output'];
  createdBy: User;
  id: Scalars['ID']['output'];
  kind: ChannelKind;
  memberCount: Scalars['Int']['output'];
  /** The members, in the order they joined. */
  members: ChannelMemberConnection;
  /**
   * The channel's messages, oldest first. Page forward with `first`/`after` or backward from the
   * newest with `last`/`before` (at most 500 per page; 20 when neither `first` nor `last` is
   * given). Cursors are stable: messages posted meanwhile never shift a page. Deleted messages stay
   * as tombstones so that a conversation keeps its shape.
   */
  messages: MessageConnection;
  /** Unique within the organization, compared case-insensitively; 1–80 characters. */
  name: Scalars['String']['output'];
  /** What the channel is about; null when none was given. */
  topic?: Maybe<Scalars['String']['output']>;
  /** Whether the caller is a member (and so may post here). */
  viewerIsMember: Scalars['Boolean']['output'];
};


/**
 * A chat room of an organization. Reading a public channel needs no membership; posting in any
 * channel does.
 */
export type ChannelMembersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/**
 * A chat room of an organization. Reading a public channel needs no membership; posting in any
 * channel does.
 */
export type ChannelMessagesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};

export type ChannelConnection = {
  __typename?: 'ChannelConnection';
  edges: Array<ChannelEdge>;
  pageInfo: PageInfo;
};

export type ChannelEdge = {
  __typename?: 'ChannelEdge';
  cursor: Scalars['String']['output'];
  node: Channel;
};

/** Who may see a channel. */
export type ChannelKind =
  /** Visible only to its members; others join only when a member adds them. */
  | 'PRIVATE'
  /** Visible to, and joinable by, everyone in the organization. */
  | 'PUBLIC';

export type ChannelMemberConnection = {
  __typename?: 'ChannelMemberConnection';
  edges: Array<ChannelMemberEdge>;
  pageInfo: PageInfo;
};

export type ChannelMemberEdge = {
  __typename?: 'ChannelMemberEdge';
  cursor: Scalars['String']['output'];
  joinedAt: Scalars['DateTime']['output'];
  node: User;
};

export type CreateChannelInput = {
  kind?: ChannelKind;
  /** Users of the caller's organization to add besides the caller, who always becomes a member: at most 100 distinct users (the caller not counted). */
  memberIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** 1–80 characters, unique within the organization whatever the letter case. */
  name: Scalars['String']['input'];
  /** At most 250 characters. */
  topic?: InputMaybe<Scalars['String']['input']>;
};

/** A chat message. Deleting it leaves a tombstone: `deleted` is true and `body` is null. */
export type Message = {
  __typename?: 'Message';
  author: User;
  /** The text exactly as sent (any Unicode); null once the message is deleted. */
  body?: Maybe<Scalars['String']['output']>;
  channel: Channel;
  createdAt: Scalars['DateTime']['output'];
  /**
   * The message's position in its channel: opaque, totally ordered within the channel and stable,
   * so it can be passed as `after`/`before` to `Channel.messages`, or to resume a live stream.
   */
  cursor: Scalars['String']['output'];
  deleted: Scalars['Boolean']['output'];
  /** When the author last edited it; null if never. */
  editedAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  /**
   * On a message delivered by a subscription: the cursor to pass as that subscription's `after` to
   * resume right after this item (for `messageAdded` the same as `cursor`; for `messageChanged`
   * the change's own cursor). Null when the message was read by a query.
   */
  streamCursor?: Maybe<Scalars['String']['output']>;
};

export type MessageConnection = {
  __typename?: 'MessageConnection';
  edges: Array<MessageEdge>;
  pageInfo: PageInfo;
};

export type MessageEdge = {
  __typename?: 'MessageEdge';
  /** The same value as the message's `cursor`. */
  cursor: Scalars['String']['output'];
  node: Message;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Adds a user of the caller's organization to a channel the caller is a member of (DEVELOPER or above). */
  addChannelMember: Channel;
  /** Creates a channel (DEVELOPER or above); the caller becomes its first member. */
  createChannel: Channel;
  /** Deletes a message (its author, or an ADMIN), leaving a tombstone. Deleting twice is harmless. */
  deleteMessage: Message;
  /** Replaces the text of one of the caller's own messages (moderated like a new one). */
  editMessage: Message;
  /** Joins a public channel. Already being a member is fine. Private channels are joined by invitation only. */
  joinChannel: Channel;
  /** Leaves a channel; false when the caller was not a member of a public one. Leaving a private channel hides it: leaving it again is NOT_FOUND, as for any channel the caller cannot see. */
  leaveChannel: Scalars['Boolean']['output'];
  /**
   * Posts a message in a channel the caller is a member of (DEVELOPER or above), after moderation.
   * Idempotent per author and `clientMessageId`: a retry returns the original message.
   */
  postMessage: Message;
};


export type MutationAddChannelMemberArgs = {
  channelId: Scalars['ID']['input'];
  userId: Scalars['ID']['input'];
};


export type MutationCreateChannelArgs = {
  input: CreateChannelInput;
};


export type MutationDeleteMessageArgs = {
  id: Scalars['ID']['input'];
};


export type MutationEditMessageArgs = {
  body: Scalars['String']['input'];
  id: Scalars['ID']['input'];
};


export type MutationJoinChannelArgs = {
  id: Scalars['ID']['input'];
};


export type MutationLeaveChannelArgs = {
  id: Scalars['ID']['input'];
};


export type MutationPostMessageArgs = {
  input: PostMessageInput;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor?: Maybe<Scalars['String']['output']>;
};

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

export type Query = {
  __typename?: 'Query';
  /** A channel the caller can see: public ones of their organization and private ones they belong to. */
  channel?: Maybe<Channel>;
  /** The channels the caller can see, by name. */
  channels: ChannelConnection;
  /**
   * The cursor of the latest change in `messageChanged`'s stream of the channel (authorized like
   * it), to pass as its `after`. Query it before loading the messages the subscription keeps
   * current, in an earlier request: then subscribing with it delivers every edit and deletion
   * made after the messages were read, none missed (some the view already shows may come again).
   */
  messageChangedHead: Scalars['String']['output'];
};


export type QueryChannelArgs = {
  id: Scalars['ID']['input'];
};


export type QueryChannelsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryMessageChangedHeadArgs = {
  channelId: Scalars['ID']['input'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Messages posted in a channel the caller can see, oldest first. Without `after`, only messages
   * posted from now on; with `after` (any `Message.cursor` or `Channel.messages` cursor of this
   * channel), first every message stored after it, then live ones, with no gap and no duplicate:
   * a client that reconnects with the cursor of the last message it received misses nothing.
   * Replayed messages show their current state (a message deleted since is a tombstone). The
   * stream ends with FORBIDDEN when the caller leaves, or is removed from, a private channel.
   */
  messageAdded: Message;
  /**
   * Edits and deletions of messages in a channel the caller can see, oldest first: the message's
   * state after each change (a deleted message is a tombstone: `deleted` true, `body` null; a
   * replayed edit of a message deleted since shows the tombstone, as its text is erased).
   * Every change is stored with its position in the channel's change stream. Without `after`,
   * only changes from now on; with `after` (the `streamCursor` of a message this subscription
   * delivered), first every change stored after it, then live ones, with no gap and no
   * duplicate. A cursor of another stream is BAD_USER_INPUT. Ends with FORBIDDEN like
   * `messageAdded`.
   * To start right after a view was loaded, pass `messageChangedHead`, read before the view. Changes
   * are kept for a retention (a week by default): an older cursor is CURSOR_EXPIRED (reload
   * the view, head first).
   */
  messageChanged: Message;
};


export type SubscriptionMessageAddedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  channelId: Scalars['ID']['input'];
};


export type SubscriptionMessageChangedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  channelId: Scalars['ID']['input'];
};

/** A person who signs in to opsgraph (owned by the users subgraph). */
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
  Channel: Channel;
  Message: Message;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Channel:
    ( { __typename: 'Channel' }
    & GraphQLRecursivePick<FederationTypes['Channel'], {"id":true}> );
  Message:
    ( { __typename: 'Message' }
    & GraphQLRecursivePick<FederationTypes['Message'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  Channel: ResolverTypeWrapper<ChannelRowEntity>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  ChannelConnection: ResolverTypeWrapper<Omit<ChannelConnection, 'edges'> & { edges: Array<ResolversTypes['ChannelEdge']> }>;
  ChannelEdge: ResolverTypeWrapper<Omit<ChannelEdge, 'node'> & { node: ResolversTypes['Channel'] }>;
  ChannelKind: ChannelKind;
  ChannelMemberConnection: ResolverTypeWrapper<ChannelMemberConnection>;
  ChannelMemberEdge: ResolverTypeWrapper<ChannelMemberEdge>;
  CreateChannelInput: CreateChannelInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Message: ResolverTypeWrapper<MessageRowEntity>;
  MessageConnection: ResolverTypeWrapper<Omit<MessageConnection, 'edges'> & { edges: Array<ResolversTypes['MessageEdge']> }>;
  MessageEdge: ResolverTypeWrapper<Omit<MessageEdge, 'node'> & { node: ResolversTypes['Message'] }>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  PostMessageInput: PostMessageInput;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  User: ResolverTypeWrapper<User>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  Channel: ChannelRowEntity;
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  String: Scalars['String']['output'];
  Boolean: Scalars['Boolean']['output'];
  ChannelConnection: Omit<ChannelConnection, 'edges'> & { edges: Array<ResolversParentTypes['ChannelEdge']> };
  ChannelEdge: Omit<ChannelEdge, 'node'> & { node: ResolversParentTypes['Channel'] };
  ChannelMemberConnection: ChannelMemberConnection;
  ChannelMemberEdge: ChannelMemberEdge;
  CreateChannelInput: CreateChannelInput;
  DateTime: Scalars['DateTime']['output'];
  Message: MessageRowEntity;
  MessageConnection: Omit<MessageConnection, 'edges'> & { edges: Array<ResolversParentTypes['MessageEdge']> };
  MessageEdge: Omit<MessageEdge, 'node'> & { node: ResolversParentTypes['Message'] };
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  PostMessageInput: PostMessageInput;
  Query: Record<PropertyKey, never>;
  Subscription: Record<PropertyKey, never>;
  User: User;
}>;

export type ChannelResolvers<ContextType = MessagesContext, ParentType extends ResolversParentTypes['Channel'] = ResolversParentTypes['Channel'], FederationReferenceType extends FederationReferenceTypes['Channel'] = FederationReferenceTypes['Channel']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Channel']> | FederationReferenceType, FederationReferenceType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  createdBy?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['ChannelKind'], ParentType, ContextType>;
  memberCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  members?: Resolver<ResolversTypes['ChannelMemberConnection'], ParentType, ContextType, RequireFields<ChannelMembersArgs, 'first'>>;
  messages?: Resolver<ResolversTypes['MessageConnection'], ParentType, ContextType, Partial<ChannelMessagesArgs>>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  topic?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  viewerIsMember?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type ChannelConnectionResolvers<ContextType = MessagesContext, ParentType extends ResolversParentTypes['ChannelConnection'] = ResolversParentTypes['ChannelConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['ChannelEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type ChannelEdgeResolvers<ContextType = MessagesContext, ParentType extends ResolversParentTypes['ChannelEdge'] = ResolversParentTypes['ChannelEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Channel'], ParentType, ContextType>;
}>;

export type ChannelMemberConnectionResolvers<ContextType = MessagesContext, ParentType extends ResolversParentTypes['ChannelMemberConnection'] = ResolversParentTypes['ChannelMemberConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['ChannelMemberEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type ChannelMemberEdgeResolvers<ContextType = MessagesContext, ParentType extends ResolversParentTypes['ChannelMemberEdge'] = ResolversParentTypes['ChannelMemberEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  joinedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type MessageResolvers<ContextType = MessagesContext, ParentType extends ResolversParentTypes['Message'] = ResolversParentTypes['Message'], FederationReferenceType extends FederationReferenceTypes['Message'] = FederationReferenceTypes['Message']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Message']> | FederationReferenceType, FederationReferenceType, ContextType>;
  author?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  body?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  channel?: Resolver<ResolversTypes['Channel'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  deleted?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  editedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  streamCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type MessageConnectionResolvers<ContextType = MessagesContext, ParentType extends ResolversParentTypes['MessageConnection'] = ResolversParentTypes['MessageConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['MessageEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type MessageEdgeResolvers<ContextType = MessagesContext, ParentType extends ResolversParentTypes['MessageEdge'] = ResolversParentTypes['MessageEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Message'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = MessagesContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  addChannelMember?: Resolver<ResolversTypes['Channel'], ParentType, ContextType, RequireFields<MutationAddChannelMemberArgs, 'channelId' | 'userId'>>;
  createChannel?: Resolver<ResolversTypes['Channel'], ParentType, ContextType, RequireFields<MutationCreateChannelArgs, 'input'>>;
  deleteMessage?: Resolver<ResolversTypes['Message'], ParentType, ContextType, RequireFields<MutationDeleteMessageArgs, 'id'>>;
  editMessage?: Resolver<ResolversTypes['Message'], ParentType, ContextType, RequireFields<MutationEditMessageArgs, 'body' | 'id'>>;
  joinChannel?: Resolver<ResolversTypes['Channel'], ParentType, ContextType, RequireFields<MutationJoinChannelArgs, 'id'>>;
  leaveChannel?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationLeaveChannelArgs, 'id'>>;
  postMessage?: Resolver<ResolversTypes['Message'], ParentType, ContextType, RequireFields<MutationPostMessageArgs, 'input'>>;
}>;

export type PageInfoResolvers<ContextType = MessagesContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasPreviousPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  startCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = MessagesContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  channel?: Resolver<Maybe<ResolversTypes['Channel']>, ParentType, ContextType, RequireFields<QueryChannelArgs, 'id'>>;
  channels?: Resolver<ResolversTypes['ChannelConnection'], ParentType, ContextType, RequireFields<QueryChannelsArgs, 'first'>>;
  messageChangedHead?: Resolver<ResolversTypes['String'], ParentType, ContextType, RequireFields<QueryMessageChangedHeadArgs, 'channelId'>>;
}>;

export type SubscriptionResolvers<ContextType = MessagesContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  messageAdded?: SubscriptionResolver<ResolversTypes['Message'], "messageAdded", ParentType, ContextType, RequireFields<SubscriptionMessageAddedArgs, 'channelId'>>;
  messageChanged?: SubscriptionResolver<ResolversTypes['Message'], "messageChanged", ParentType, ContextType, RequireFields<SubscriptionMessageChangedArgs, 'channelId'>>;
}>;

export type UserResolvers<ContextType = MessagesContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = MessagesContext> = ResolversObject<{
  Channel?: ChannelResolvers<ContextType>;
  ChannelConnection?: ChannelConnectionResolvers<ContextType>;
  ChannelEdge?: ChannelEdgeResolvers<ContextType>;
  ChannelMemberConnection?: ChannelMemberConnectionResolvers<ContextType>;
  ChannelMemberEdge?: ChannelMemberEdgeResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Message?: MessageResolvers<ContextType>;
  MessageConnection?: MessageConnectionResolvers<ContextType>;
  MessageEdge?: MessageEdgeResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
}>;

