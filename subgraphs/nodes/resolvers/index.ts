/** Thin resolvers: reshape arguments, call the nodes services, map results. */
import { DateTime } from '../../kit/scalars';
import { changeSubscriptionField } from '../../kit/change-subscription';
import { streamCursorOf } from '../../kit/resumable';
import type { Resolvers } from '../__generated__/resolvers-types';
import * as heartbeats from '../services/heartbeat-service';
import * as auth from '../services/node-auth-service';
import * as streams from '../services/node-streams';
import * as nodes from '../services/nodes-service';

export const resolvers: Resolvers = {
  DateTime,
  Query: {
    node: (_parent, { id }, ctx) => nodes.getNode(ctx, id),
    nodes: (_parent, args, ctx) => nodes.listNodes(ctx, args),
    nodeStatusChangedHead: (_parent, args, ctx) => streams.nodeStatusChangedHead(ctx, args),
  },
  Mutation: {
    registerNode: (_parent, { input }, ctx) => nodes.registerNode(ctx, input),
    authenticateNode: (_parent, { input }, ctx) => auth.authenticateNode(ctx, input),
    heartbeat: (_parent, { input }, ctx) => heartbeats.heartbeat(ctx, input),
    decommissionNode: (_parent, { id }, ctx) => nodes.decommissionNode(ctx, id),
  },
  Subscription: {
    nodeStatusChanged: changeSubscriptionField(streams.nodeStatusChanged, streams.nodeOf),
  },
  Node: {
    __resolveReference: (reference, ctx) => nodes.findVisibleNode(ctx, reference.id),
    // Null until the first heartbeat, which sets all three.
    metrics: ({ cpuPercent, memoryPercent, diskPercent }) =>
      cpuPercent === null || memoryPercent === null || diskPercent === null
        ? null
        : { cpuPercent, memoryPercent, diskPercent },
    // The users subgraph resolves the reference, and decides whether the caller may see them.
    registeredBy: (node) => ({ __typename: 'User', id: node.registeredBy }),
    streamCursor: (node) => streamCursorOf(node),
  },
};
