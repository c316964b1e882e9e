/** Thin resolvers: reshape arguments, call the deployments services, map results. */
import { DateTime } from '../../kit/scalars';
import { changeSubscriptionField } from '../../kit/change-subscription';
import { streamCursorOf } from '../../kit/resumable';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { DeploymentEvent as DeploymentEventEntity } from '../entities/deployment-event';
import { findVisibleDeployment } from '../services/access';
import * as agent from '../services/agent-service';
import * as streams from '../services/deployment-streams';
import * as deployments from '../services/deployments-service';
import * as events from '../services/events-service';
import * as lifecycle from '../services/lifecycle-service';
import { getDeploymentStats } from '../services/stats-service';

export const resolvers: Resolvers = {
  DateTime,
  Query: {
    deployment: (_parent, { id }, ctx) => deployments.getDeployment(ctx, id),
    deployments: (_parent, args, ctx) => deployments.listDeployments(ctx, args),
    deploymentStats: (_parent, _args, ctx) => getDeploymentStats(ctx),
    deploymentUpdatedHead: (_parent, args, ctx) => streams.deploymentUpdatedHead(ctx, args),
  },
  Mutation: {
    createDeployment: (_parent, { input }, ctx) => lifecycle.createDeployment(ctx, input),
    cancelDeployment: (_parent, { id }, ctx) => lifecycle.cancelDeployment(ctx, id),
    rollbackDeployment: (_parent, { id }, ctx) => lifecycle.rollbackDeployment(ctx, id),
    claimDeployment: (_parent, _args, ctx) => agent.claimDeployment(ctx),
    reportDeploymentProgress: (_parent, { input }, ctx) =>
      agent.reportDeploymentProgress(ctx, input),
  },
  Subscription: {
    deploymentUpdated: changeSubscriptionField(streams.deploymentUpdated, streams.deploymentOf),
    deploymentEvents: {
      subscribe: (_parent, args, ctx) => streams.deploymentEvents(ctx, args),
      resolve: (event: DeploymentEventEntity) => event,
    },
  },
  Deployment: {
    __resolveReference: (reference, ctx) => findVisibleDeployment(ctx, reference.id),
    // References the gateway resolves in the subgraphs that own nodes and users.
    node: (deployment) => ({ id: deployment.nodeId }),
    triggeredBy: (deployment) => ({ id: deployment.triggeredBy }),
    rollbackOf: (deployment, _args, ctx) =>
      deployment.rollbackOf ? ctx.loaders.deploymentById.load(deployment.rollbackOf) : null,
    events: (deployment, args, ctx) => events.eventPage(ctx, deployment, args),
    streamCursor: (deployment) => streamCursorOf(deployment),
  },
  DeploymentEvent: {
    cursor: (event) => events.eventCursor(event),
  },
  Node: {
    // Only the key: the nodes subgraph says what the caller may see of the node itself.
    __resolveReference: (reference, ctx) => (ctx.principal ? { id: reference.id } : null),
    deployments: (node, args, ctx) => deployments.ownerDeployments(ctx, 'node', node.id, args),
  },
  User: {
    __resolveReference: (reference, ctx) => (ctx.principal ? { id: reference.id } : null),
    deployments: (user, args, ctx) => deployments.ownerDeployments(ctx, 'user', user.id, args),
  },
};
