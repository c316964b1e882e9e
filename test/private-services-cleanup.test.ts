/**
 * No private PostgreSQL or Redis outlives a test process that a signal ends — Ctrl-C in a
 * terminal, a CI runner's SIGTERM, a terminal closing (`onExit`, test/support/processes.ts): a
 * process holding one of each kind the tests start (support/hold-private-servers.ts) gets the
 * signal, and every port must be free again once it has ended by that signal.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { isPortFree } from './support/processes';

it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
  'a test process ended by %s stops its private PostgreSQL and Redis servers first',
  async (signal) => {
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'support', 'hold-private-servers.ts')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = once(holder, 'exit');
    const [said] = (await once(holder.stdout, 'data')) as [Buffer];
    const ports = JSON.parse(said.toString()) as number[];
    expect(await Promise.all(ports.map(isPortFree))).toEqual([false, false, false, false]);

    holder.kill(signal);
    const [code, endedBy] = (await exited) as [number | null, NodeJS.Signals | null];
    expect({ code, endedBy }).toEqual({ code: null, endedBy: signal });
    expect(await Promise.all(ports.map(isPortFree))).toEqual([true, true, true, true]);
  },
  60_000,
);
