/**
 * Subscriptions end when their credentials expire, all on one timer
 * (platform/credential-watch.ts): each channel at its own second, in order, none twice, and none
 * that closed before.
 */
import type { ExecutionResult } from 'graphql-ws';
import { createChannel, type Channel } from '../platform/channel';
import { createExpirySchedule } from '../platform/credential-watch';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('expires each channel at its second, in order, and forgets those removed', async () => {
  const expired: string[] = [];
  const names = new Map<Channel<ExecutionResult>, string>();
  const schedule = createExpirySchedule<Channel<ExecutionResult>>((channel) =>
    expired.push(names.get(channel)!),
  );
  // From the start of a second, so that the next one is not due before the first check.
  await sleep(1_010 - (Date.now() % 1_000));
  const now = Math.floor(Date.now() / 1000);
  const add = (name: string, second: number) => {
    const channel = createChannel<ExecutionResult>(10);
    names.set(channel, name);
    schedule.add(channel, second);
    return channel;
  };
  add('past', now - 5);
  add('second 2', now + 2);
  add('second 1', now + 1);
  const removed = add('removed', now + 1);
  add('also second 1', now + 1);
  schedule.remove(removed, now + 1);
  const alone = add('alone at 3', now + 3);
  schedule.remove(alone, now + 3); // its second empties: the timer is armed for the others only

  await sleep(50);
  expect(expired).toEqual(['past']);
  await sleep(now * 1000 + 1_100 - Date.now());
  expect(expired).toEqual(['past', 'second 1', 'also second 1']);
  await sleep(now * 1000 + 3_300 - Date.now());
  expect(expired).toEqual(['past', 'second 1', 'also second 1', 'second 2']);
  schedule.stop();
});
