/**
 * A subgraph works on at most MAX_CONCURRENT_REQUESTS GraphQL requests at once; the rest wait in
 * line (platform/admission.ts). The mechanism on its own, then wired into a real subgraph.
 */
import { connect, type Socket } from 'node:net';
import { setTimeout } from 'node:timers/promises';
import { createAdmission } from '../platform/admission';
import { LoginDocument, MeDocument } from './__generated__/graphql';
import { graphql } from './support/graphql';
import { PASSWORD, signUp } from './support/seed';
import { startStack, type Stack } from './support/stack';

describe('createAdmission', () => {
  it('runs at most `limit` tasks at once, the others in the order they came', async () => {
    const admission = createAdmission(2);
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const done = Array.from({ length: 5 }, (_, i) =>
      admission.run(async () => {
        started.push(i);
        await new Promise<void>((resolve) => (finish[i] = resolve));
        return i;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    expect(admission.waiting()).toBe(3);

    finish[1]!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    finish[0]!();
    finish[2]!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(admission.waiting()).toBe(0);
    finish[3]!();
    finish[4]!();
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3, 4]);
  });

  it('frees the place of a task that fails', async () => {
    const admission = createAdmission(1);
    const failing = admission.run(() => Promise.reject(new Error('boom')));
    const next = admission.run(() => Promise.resolve('next'));
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
    await expect(admission.run(() => Promise.resolve('after'))).resolves.toBe('after');
  });
});

describe('a subgraph admitting one request at a time', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      subgraphs: ['users'],
      config: { users: { maxConcurrentRequests: 1 } },
    });
  });
  afterAll(() => stack?.stop());

  /** A series of the subgraph's /metrics. */
  async function sample(name: string): Promise<number> {
    const metrics = await fetch(stack.subgraphs.users!.url.replace('/graphql', '/metrics'));
    const line = (await metrics.text()).split('\n').find((l) => l.startsWith(`${name}{`));
    if (!line) throw new Error(`no ${name} series`);
    return Number(line.split(' ').pop());
  }
  const waiting = () => sample('opsgraph_requests_waiting');

  it('answers a burst of concurrent requests in full, the rest of it waiting in line', async () => {
    const admin = await signUp(stack.gatewayUrl);
    const url = stack.subgraphs.users!.url;
    // A sign-in (an argon2 verification) ahead of it holds the one place while the burst comes.
    const login = graphql(url, LoginDocument, {
      input: { usernameOrEmail: admin.user.username, password: PASSWORD },
    });
    const burst = Array.from({ length: 100 }, () => graphql(url, MeDocument, {}, admin.headers));
    let settled = false;
    const answers = Promise.all(burst).finally(() => (settled = true));
    // /metrics takes no place: it answers while the burst is queued.
    let mostWaiting = 0;
    while (!settled) mostWaiting = Math.max(mostWaiting, await waiting());

    for (const answer of await answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.me?.id).toBe(admin.user.id);
    }
    expect((await login).errors).toBeUndefined();
    expect(mostWaiting).toBeGreaterThan(0);
    expect(await waiting()).toBe(0);
  });

  it('does not execute a request whose caller hung up while it waited', async () => {
    const admin = await signUp(stack.gatewayUrl);
    const url = stack.subgraphs.users!.url;
    const { port } = new URL(url);
    const body = JSON.stringify({ query: '{ me { id } }' });
    const request = [
      'POST /graphql HTTP/1.1',
      `host: 127.0.0.1:${port}`,
      'content-type: application/json',
      `authorization: ${admin.headers.authorization}`,
      `content-length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
    const abandonedBefore = await sample('opsgraph_requests_abandoned_total');
    // The one place is held by sign-ins (each an argon2 verification) while the line forms.
    const logins = Array.from({ length: 20 }, () =>
      graphql(url, LoginDocument, {
        input: { usernameOrEmail: admin.user.username, password: PASSWORD },
      }),
    );
    for (let i = 0; i < 400 && (await waiting()) < 10; i++) await setTimeout(5);
    // Fifty callers, each on a socket of its own, join the line, then hang up.
    const sockets = await Promise.all(
      Array.from(
        { length: 50 },
        () =>
          new Promise<Socket>((resolve) => {
            const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
          }),
      ),
    );
    for (const socket of sockets) socket.write(request);
    // All fifty in line (the sign-ins ahead of them take far longer than this).
    for (let i = 0; i < 400 && (await waiting()) < 50; i++) await setTimeout(5);
    for (const socket of sockets) socket.destroy();

    for (const login of await Promise.all(logins)) expect(login.errors).toBeUndefined();
    // The line drains; the abandoned are counted as they reach its front.
    for (let i = 0; i < 1_500 && (await waiting()) > 0; i++) await setTimeout(20);
    expect(await waiting()).toBe(0);
    const abandoned = (await sample('opsgraph_requests_abandoned_total')) - abandonedBefore;
    expect(abandoned).toBeGreaterThan(40);
    expect(abandoned).toBeLessThanOrEqual(50);
  });
});
