/**
 * Every mutation that creates, claims or ends something, sent twelve times at once with the same
 * arguments, more than a subgraph's database pool holds (5 connections here): as a double click,
 * a retrying client or an attacker would. Whatever the interleaving, each is answered (none
 * waits on the pool until the gateway gives up: SUBGRAPH_UNAVAILABLE), none fails internally,
 * and exactly as many win as the operation allows: one user per username, one claim per queued
 * deployment, one use per refresh token or node signature, and so on (sign-up's own race is in
 * users.test.ts). And queries of callers of several organizations, interleaved: each caller gets
 * its own answer.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AddChannelMemberDocument,
  AuthenticateNodeDocument,
  CancelDeploymentDocument,
  ChannelMessagesDocument,
  ClaimDeploymentDocument,
  CreateChannelDocument,
  CreateUserDocument,
  DecommissionNodeDocument,
  DeleteMessageDocument,
  JoinChannelDocument,
  LeaveChannelDocument,
  MeDocument,
  NodesWithRegistrarDocument,
  PostMessageDocument,
  RefreshSessionDocument,
  RegisterNodeDocument,
  UpdateUserRoleDocument,
  UserIdsDocument,
} from './__generated__/graphql';
import { createDeployment } from './support/deployments';
import { graphql } from './support/graphql';
import { createChannel, post } from './support/messages';
import {
  authenticateNode,
  generateNodeKeys,
  registerNode,
  registerNodeInput,
  signedAuthInput,
} from './support/nodes';
import { addUser, PASSWORD, signUp, unique, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';

const AT_ONCE = 12;

let stack: Stack;
let admin: SignedIn;

beforeAll(async () => {
  stack = await startStack();
  admin = await signUp(stack.gatewayUrl);
}, 60_000);
afterAll(() => stack?.stop());

/** The same request AT_ONCE times at once; each answer as its error code or `ok`, sorted. */
async function atOnce<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  headers: Record<string, string>,
) {
  const responses = await Promise.all(
    Array.from({ length: AT_ONCE }, () => graphql(stack.gatewayUrl, document, variables, headers)),
  );
  return {
    responses,
    outcomes: responses.map((r) => String(r.errors?.[0]?.extensions?.code ?? 'ok')).sort(),
  };
}

/** One `winner` and the rest `loser`, as atOnce sorts them. */
const oneWins = (winner: string, loser: string) =>
  [winner, ...Array.from({ length: AT_ONCE - 1 }, () => loser)].sort();
const allOk = Array.from({ length: AT_ONCE }, () => 'ok');

it('creates one user and one channel per name', async () => {
  const username = unique('twin');
  const users = await atOnce(
    CreateUserDocument,
    { input: { username, email: `${username}@example.com`, password: PASSWORD, role: 'VIEWER' } },
    admin.headers,
  );
  const name = unique('chan-');
  const channels = await atOnce(CreateChannelDocument, { input: { name } }, admin.headers);
  expect([users.outcomes, channels.outcomes]).toEqual([
    oneWins('ok', 'BAD_USER_INPUT'),
    oneWins('ok', 'BAD_USER_INPUT'),
  ]);
});

it('registers one node per key, and decommissions it once', async () => {
  const { publicKey } = generateNodeKeys();
  const registered = await atOnce(
    RegisterNodeDocument,
    { input: registerNodeInput(publicKey) },
    admin.headers,
  );
  const id = registered.responses.find((r) => r.data?.registerNode)!.data!.registerNode.id;
  const decommissioned = await atOnce(DecommissionNodeDocument, { id }, admin.headers);
  expect([registered.outcomes, decommissioned.outcomes]).toEqual([
    oneWins('ok', 'CONFLICT'),
    oneWins('ok', 'CONFLICT'),
  ]);
});

it('accepts a node signature once and hands each queued deployment to one claim', async () => {
  const url = stack.gatewayUrl;
  const node = await registerNode(url, admin);
  const signature = signedAuthInput(node.keys, node.node.id);
  const authentications = await atOnce(AuthenticateNodeDocument, { input: signature }, {});
  const session = await authenticateNode(url, node);
  const queued = [];
  for (const application of ['api', 'web', 'worker', 'cron', 'docs']) {
    queued.push(
      (await createDeployment(url, admin.headers, { nodeId: node.node.id, application })).id,
    );
  }
  const cancelled = await atOnce(CancelDeploymentDocument, { id: queued.pop()! }, admin.headers);
  const claims = await atOnce(ClaimDeploymentDocument, {}, session.headers);
  const claimed = claims.responses.flatMap((r) => r.data?.claimDeployment?.id ?? []);
  expect([authentications.outcomes, cancelled.outcomes, claims.outcomes]).toEqual([
    oneWins('ok', 'UNAUTHENTICATED'),
    oneWins('ok', 'CONFLICT'),
    allOk,
  ]);
  expect(claimed.sort()).toEqual([...queued].sort());
});

it('rotates a refresh token once', async () => {
  const user = await signUp(stack.gatewayUrl);
  const refreshed = await atOnce(RefreshSessionDocument, { token: user.refreshToken }, {});
  expect(refreshed.outcomes).toEqual(oneWins('ok', 'UNAUTHENTICATED'));
});

it('joins, adds, posts once per clientMessageId, deletes and changes roles idempotently', async () => {
  const url = stack.gatewayUrl;
  const developer = await addUser(url, admin, 'DEVELOPER');
  const channel = await createChannel(url, admin);
  const joined = await atOnce(JoinChannelDocument, { id: channel.id }, developer.headers);
  const other = await addUser(url, admin, 'VIEWER');
  const added = await atOnce(
    AddChannelMemberDocument,
    { channelId: channel.id, userId: other.user.id },
    admin.headers,
  );
  const posted = await atOnce(
    PostMessageDocument,
    { input: { channelId: channel.id, body: 'once', clientMessageId: unique('click-') } },
    developer.headers,
  );
  const message = await post(url, admin, channel.id, 'to delete');
  const deleted = await atOnce(DeleteMessageDocument, { id: message.id }, admin.headers);
  const roles = await atOnce(
    UpdateUserRoleDocument,
    { id: developer.user.id, role: 'OPERATOR' },
    admin.headers,
  );
  const left = await atOnce(LeaveChannelDocument, { id: channel.id }, developer.headers);
  expect([joined, added, posted, deleted, roles, left].map((r) => r.outcomes)).toEqual(
    Array.from({ length: 6 }, () => allOk),
  );
  expect(new Set(posted.responses.map((r) => r.data?.postMessage.id)).size).toBe(1);
  // Leaving is true for the one that removed the membership, false for the others.
  expect(left.responses.filter((r) => r.data?.leaveChannel === true)).toHaveLength(1);
});

interface Caller {
  headers: Record<string, string>;
  channelId: string;
}

it("answers each caller with its own organization's data while many callers' requests interleave", async () => {
  // Callers of four organizations, each with its own users, channel, message and node, ask the
  // same documents at once: answered on the gateway's hot path (a remembered plan, the lean
  // executor) and the subgraphs' fast path, nothing of one request may reach another's answer.
  const url = stack.gatewayUrl;
  const callers: Caller[] = [];
  for (let i = 0; i < 4; i++) {
    const owner = await signUp(url);
    const channel = await createChannel(url, owner);
    await post(url, owner, channel.id, `for organization ${i}`);
    await registerNode(url, owner);
    for (const caller of [owner, await addUser(url, owner, 'DEVELOPER')]) {
      callers.push({ headers: caller.headers, channelId: channel.id });
    }
  }
  const asks = [
    (caller: Caller) => graphql(url, MeDocument, {}, caller.headers),
    (caller: Caller) => graphql(url, UserIdsDocument, {}, caller.headers),
    (caller: Caller) => graphql(url, NodesWithRegistrarDocument, {}, caller.headers),
    (caller: Caller) =>
      graphql(url, ChannelMessagesDocument, { id: caller.channelId, last: 5 }, caller.headers),
  ];
  // Each answer once, one request at a time: what each caller must get.
  const expected = new Map<string, string>();
  for (const [c, caller] of callers.entries()) {
    for (const [a, ask] of asks.entries()) {
      expected.set(`${c}:${a}`, JSON.stringify(await ask(caller)));
    }
  }
  const differing: string[] = [];
  for (let round = 0; round < 5; round++) {
    await Promise.all(
      Array.from({ length: 200 }, async (_, k) => {
        const c = k % callers.length;
        const a = (k * 7) % asks.length;
        const answer = JSON.stringify(await asks[a]!(callers[c]!));
        if (answer !== expected.get(`${c}:${a}`))
          differing.push(`caller ${c}, ask ${a}: ${answer}`);
      }),
    );
  }
  expect(differing).toEqual([]);
});
