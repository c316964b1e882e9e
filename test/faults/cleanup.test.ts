/**
 * The fault suite's private PostgreSQL and Redis do not outlive a test process that a signal
 * ends — Ctrl-C in a terminal, a CI runner's SIGTERM, a terminal closing (infra.ts's onExit): a
 * process holding both (hold-private-servers.ts) gets the signal, and both ports must be free
 * again once it has ended by that signal.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort } from '../support/agent';
import { isPortFree } from '../support/processes';

it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
  'a test process ended by %s stops its private PostgreSQL and Redis first',
  async (signal) => {
    const ports = [await freePort(), await freePort()];
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'hold-private-servers.ts'), ...ports.map(String)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = once(holder, 'exit');
    const [said] = (await once(holder.stdout, 'data')) as [Buffer];
    expect(said.toString()).toBe('ready\n');
    expect(await Promise.all(ports.map(isPortFree))).toEqual([false, false]);

    holder.kill(signal);
    const [code, endedBy] = (await exited) as [number | null, NodeJS.Signals | null];
    expect({ code, endedBy }).toEqual({ code: null, endedBy: signal });
    expect(await Promise.all(ports.map(isPortFree))).toEqual([true, true]);
  },
  60_000,
);
