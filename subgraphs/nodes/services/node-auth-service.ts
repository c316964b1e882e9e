/**
 * Node authentication by signature: the agent signs `opsgraph-node-auth:<nodeId>:<timestamp>`
 * with its Ed25519 key and receives a short-lived node token. A signature is good for five
 * minutes, and only once: each sign-in must carry a later timestamp than the node's last one.
 */
import { badUserInput, unauthenticated } from '../../../platform/errors';
import type { NodesContext } from '../context';
import type { Node } from '../entities/node';
import { parsePublicKey, verifySignature } from './node-keys';

const MAX_AGE_MS = 5 * 60_000;
/** Tolerated clock skew for timestamps ahead of ours. */
const MAX_FUTURE_SKEW_MS = 30_000;
const INVALID = 'Invalid node signature.';

/** The exact text a node signs to authenticate. */
export const nodeAuthMessage = (nodeId: string, timestamp: string) =>
  `opsgraph-node-auth:${nodeId}:${timestamp}`;

export interface NodeAuthPayload {
  token: string;
  expiresAt: Date;
  node: Node;
}

export async function authenticateNode(
  ctx: NodesContext,
  input: { nodeId: string; timestamp: string; signature: string },
): Promise<NodeAuthPayload> {
  if (!/^\d{1,15}$/.test(input.timestamp)) {
    throw badUserInput(
      'timestamp must be milliseconds since the epoch, as a decimal string.',
      'timestamp',
    );
  }
  const signedAt = Number(input.timestamp);
  const age = Date.now() - signedAt;
  if (age > MAX_AGE_MS)
    throw unauthenticated('This signature has expired; sign a fresh timestamp.');
  if (age < -MAX_FUTURE_SKEW_MS) {
    throw unauthenticated("The timestamp is in the future; check the node's clock.");
  }

  const node = await ctx.loaders.nodeById.load(input.nodeId);
  const key = node ? parsePublicKey(node.publicKey)?.key : undefined;
  const message = nodeAuthMessage(input.nodeId, input.timestamp);
  // Unknown nodes and bad signatures fail alike, so ids cannot be probed.
  if (!node || !key || !verifySignature(key, message, input.signature)) {
    throw unauthenticated(INVALID);
  }
  if (node.status === 'DECOMMISSIONED') throw unauthenticated('This node has been decommissioned.');

  // Ed25519 signatures are deterministic, so a timestamp used once refuses every replay of its
  // signature. Kept on the node's row, it outlives any restart; only a verified signature gets
  // here, so nobody can move a node's timestamp on without its key. The status is checked again
  // here, on the row as it is once this update holds it: a decommissioning that committed since
  // the node was read above (or that held the row while this waited) refuses the token too.
  const moved = await ctx.em.execute<unknown[]>(
    `update nodes.nodes set last_signed_at = ?
      where id = ? and status <> 'DECOMMISSIONED'
        and (last_signed_at is null or last_signed_at < ?) returning id`,
    [signedAt, node.id, signedAt],
  );
  if (moved.length === 0) {
    const [current] = await ctx.em.execute<{ status: string }[]>(
      `select status from nodes.nodes where id = ?`,
      [node.id],
    );
    if (current?.status === 'DECOMMISSIONED') {
      throw unauthenticated('This node has been decommissioned.');
    }
    throw unauthenticated('This signature, or a later one, was already used; sign a new one.');
  }

  const { token, expiresAt } = await ctx.deps.signer.sign(
    { kind: 'node', nodeId: node.id, organizationId: node.organizationId },
    ctx.deps.config.nodeTokenTtlSeconds,
  );
  return { token, expiresAt, node };
}
