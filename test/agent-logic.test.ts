/**
 * The node agent's pure logic: backoff and retries, the command line, host metrics, the
 * simulated executor, and how gateway failures are classified (against loopback servers).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import { join } from 'node:path';
import { tmpdir, type CpuInfo } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { parseAgentArgs, parseDuration, UsageError } from '../agent/args';
import { loadAgentEnvironment } from '../agent/env';
import { backoffDelay, retry } from '../agent/backoff';
import { AgentFatalError } from '../agent/errors';
import type { ExecutionSink } from '../agent/executors/executor';
import { loadShellConfig } from '../agent/executors/shell';
import { createSimulatedExecutor } from '../agent/executors/simulated';
import { createGatewayClient, GatewayError, TransientError } from '../agent/gateway-client';
import { cpuPercent, cpuSample, diskPercent, memoryPercent } from '../agent/metrics';
import { reportableLine } from '../agent/run-deployment';
import { AGENT_VERSION } from '../agent/version';
import { webSocketUrl } from '../agent/work-subscription';
import { listen } from '../platform/listen';
import { closeHttpServer } from '../platform/shutdown';
import { tempStateDir } from './support/agent';

describe('backoff', () => {
  const policy = { baseMs: 100, maxMs: 5_000 };

  it('grows exponentially up to the cap, with full jitter below it', () => {
    const almostOne = () => 0.999_999;
    expect([0, 1, 2, 3, 5, 6, 50, 5000].map((n) => backoffDelay(n, policy, almostOne))).toEqual([
      99, 199, 399, 799, 3199, 4999, 4999, 4999,
    ]);
    expect(backoffDelay(4, policy, () => 0)).toBe(0);
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
      for (let i = 0; i < 200; i++) {
        const delay = backoffDelay(attempt, policy);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
  });

  it('spreads retries: full jitter, not a fixed schedule', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(10, policy)));
    expect(delays.size).toBeGreaterThan(25);
  });

  it('retries what is retryable, with the wait a failure asks for, and nothing else', async () => {
    const transient = new TransientError('down', 'no', 1);
    let calls = 0;
    const retries: number[] = [];
    const result = await retry(
      async () => {
        if (++calls < 4) throw transient;
        return 'ok';
      },
      {
        retryable: (error) => error === transient,
        waitFor: () => 1,
        onRetry: (_error, attempt, delayMs) => retries.push(attempt, delayMs),
      },
    );
    expect(result).toBe('ok');
    expect(retries).toEqual([0, 1, 1, 1, 2, 1]);

    const final = new Error('final');
    let finalCalls = 0;
    await expect(
      retry(
        async () => {
          finalCalls++;
          throw final;
        },
        { retryable: () => false },
      ),
    ).rejects.toBe(final);
    expect(finalCalls).toBe(1);

    let bounded = 0;
    await expect(
      retry(
        async () => {
          bounded++;
          throw transient;
        },
        { retryable: () => true, policy: { baseMs: 1, maxMs: 1 }, maxAttempts: 3 },
      ),
    ).rejects.toBe(transient);
    expect(bounded).toBe(3);

    const controller = new AbortController();
    const aborted = retry(
      async () => {
        throw transient;
      },
      { retryable: () => true, waitFor: () => 60_000, signal: controller.signal },
    );
    controller.abort();
    await expect(aborted).rejects.toThrow();
  });
});

describe('command line', () => {
  const base = ['--gateway', 'http://127.0.0.1:4000/graphql', '--name', 'web-1', '--region', 'eu'];

  it('applies the documented defaults', () => {
    expect(parseAgentArgs([...base, '--api-key', 'secret'])).toEqual({
      command: 'run',
      options: {
        gateway: 'http://127.0.0.1:4000/graphql',
        credentials: { apiKey: 'secret' },
        name: 'web-1',
        region: 'eu',
        kind: 'DOCKER_HOST',
        labels: [],
        stateDir: '.data/agent/web-1',
        executor: 'simulated',
        shellConfig: null,
        pollIntervalMs: 5_000,
        pollOnly: false,
        heartbeatIntervalMs: 15_000,
        failureRate: 0.1,
        stepDurationMs: 2_000,
        once: false,
        logLevel: 'info',
      },
    });
  });

  it('takes the registration credential from the environment or a file, one at most', () => {
    const credentialsOf = (args: string[], env = {}) => {
      const parsed = parseAgentArgs([...base, ...args], env);
      return parsed.command === 'run' ? parsed.options.credentials : parsed;
    };
    expect(credentialsOf([], { apiKey: 'from-env' })).toEqual({ apiKey: 'from-env' });
    expect(credentialsOf([], { token: 'jwt-from-env' })).toEqual({ token: 'jwt-from-env' });
    const folder = mkdtempSync(join(tmpdir(), 'agent-key-'));
    const file = join(folder, 'key');
    writeFileSync(file, 'ogk_from-file\n', { mode: 0o600 });
    expect(credentialsOf(['--api-key-file', file])).toEqual({ apiKey: 'ogk_from-file' });
    // The command line wins over the environment.
    expect(credentialsOf(['--api-key-file', file], { apiKey: 'from-env' })).toEqual({
      apiKey: 'ogk_from-file',
    });
    expect(() => credentialsOf(['--api-key-file', file, '--token', 't'])).toThrow(UsageError);
    expect(() => credentialsOf([], { apiKey: 'k', token: 't' })).toThrow(UsageError);
    expect(() => credentialsOf(['--api-key-file', `${file}.missing`])).toThrow(/cannot be read/);
    expect(loadAgentEnvironment({ OPSGRAPH_API_KEY: ' ogk_x ', OPSGRAPH_TOKEN: '' })).toEqual({
      apiKey: 'ogk_x',
      token: undefined,
    });
    rmSync(folder, { recursive: true, force: true });
  });

  it('takes every option', () => {
    const parsed = parseAgentArgs([
      ...base,
      '--token',
      'jwt',
      '--kind',
      'KUBERNETES',
      '--labels',
      'gpu, tier=edge,,',
      '--state-dir',
      '/var/lib/agent',
      '--executor',
      'shell',
      '--shell-config',
      'steps.json',
      '--poll-interval',
      '250ms',
      '--poll-only',
      '--heartbeat-interval',
      '1m',
      '--failure-rate',
      '1',
      '--step-duration',
      '1.5',
      '--once',
      '--log-level',
      'debug',
    ]);
    expect(parsed).toEqual({
      command: 'run',
      options: {
        gateway: 'http://127.0.0.1:4000/graphql',
        credentials: { token: 'jwt' },
        name: 'web-1',
        region: 'eu',
        kind: 'KUBERNETES',
        labels: ['gpu', 'tier=edge'],
        stateDir: '/var/lib/agent',
        executor: 'shell',
        shellConfig: 'steps.json',
        pollIntervalMs: 250,
        pollOnly: true,
        heartbeatIntervalMs: 60_000,
        failureRate: 1,
        stepDurationMs: 1_500,
        once: true,
        logLevel: 'debug',
      },
    });
    expect(parseAgentArgs(['--help'])).toEqual({ command: 'help' });
    expect(parseAgentArgs(['-v'])).toEqual({ command: 'version' });
    // Credentials are optional: a registered node authenticates with its key alone.
    expect(parseAgentArgs(base)).toMatchObject({ options: { credentials: null } });
  });

  it.each([
    [[], '--name is required.'],
    [['--name', 'a', '--region', 'r'], '--gateway is required.'],
    [['--gateway', 'http://x', '--name', 'a'], '--region is required.'],
    [['--gateway', 'ftp://x', '--name', 'a', '--region', 'r'], '--gateway must be an http://'],
    [['--gateway', 'nope', '--name', 'a', '--region', 'r'], '--gateway must be a URL'],
    [[...base, '--nme', 'x'], "Unknown option '--nme'"],
    [[...base, 'extra'], "Unexpected argument 'extra'"],
    [
      [...base, '--api-key', 'a', '--token', 't'],
      'Pass one of --api-key, --api-key-file or --token, not 2.',
    ],
    [[...base, '--kind', 'vm'], '--kind must be one of DOCKER_HOST, SWARM'],
    [[...base, '--executor', 'docker'], '--executor must be one of simulated, shell.'],
    [[...base, '--executor', 'shell'], '--executor shell needs --shell-config <file>.'],
    [[...base, '--shell-config', 'x.json'], '--shell-config is only used with --executor shell.'],
    [[...base, '--failure-rate', '1.5'], '--failure-rate must be a number from 0 to 1.'],
    [[...base, '--failure-rate', 'often'], '--failure-rate must be a number from 0 to 1.'],
    [[...base, '--poll-interval', '5h'], '--poll-interval must be a duration'],
    [[...base, '--heartbeat-interval', '1ms'], '--heartbeat-interval must be at least 10ms.'],
    [[...base, '--name', '../etc'], '--name must be 1–63 letters'],
    [[...base, '--log-level', 'loud'], '--log-level must be one of'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseAgentArgs(argv)).toThrow(UsageError);
    expect(() => parseAgentArgs(argv)).toThrow(message);
  });

  it('subscribes on the gateway URL with ws:// or wss://', () => {
    expect(webSocketUrl('http://127.0.0.1:4000/graphql')).toBe('ws://127.0.0.1:4000/graphql');
    expect(webSocketUrl('https://api.example.com/graphql')).toBe('wss://api.example.com/graphql');
  });

  it('reads durations with units, bare numbers as seconds', () => {
    expect(['250ms', '5s', '1m', '2', '0.5s'].map((d) => parseDuration(d, 'x'))).toEqual([
      250, 5_000, 60_000, 2_000, 500,
    ]);
  });
});

describe('host metrics', () => {
  const cpu = (user: number, sys: number, idle: number): CpuInfo => ({
    model: 'test',
    speed: 1,
    times: { user, nice: 0, sys, idle, irq: 0 },
  });

  it('measures CPU usage between two samples, over all cores', () => {
    const before = cpuSample([cpu(100, 50, 850), cpu(0, 0, 1000)]);
    expect(before).toEqual({ busy: 150, idle: 1850 });
    const after = cpuSample([cpu(400, 50, 1050), cpu(100, 100, 1300)]);
    // busy +500, idle +500 over the interval.
    expect(cpuPercent(before, after)).toBe(50);
    // Without an earlier sample: the average since boot.
    expect(cpuPercent(null, before)).toBe(7.5);
    expect(cpuPercent(after, after)).toBe(0);
  });

  it('computes memory and disk usage like free and df do', () => {
    expect(memoryPercent(8_000, 2_000)).toBe(75);
    expect(memoryPercent(3, 2)).toBe(33.3);
    expect(memoryPercent(0, 0)).toBe(0);
    // 1000 blocks, 300 free of which 200 usable without root: 700 / (700 + 200).
    expect(diskPercent({ blocks: 1000, bfree: 300, bavail: 200 })).toBe(77.8);
    expect(diskPercent({ blocks: 1000, bfree: 0, bavail: 0 })).toBe(100);
  });

  it("sends the package's version", async () => {
    const packageJson = JSON.parse(await readFile(join(__dirname, '..', 'package.json'), 'utf8'));
    expect(AGENT_VERSION).toBe(packageJson.version);
  });
});

describe('simulated executor', () => {
  const job = { id: 'd1', application: 'api', version: '1.2.3', environment: 'prod' };

  function recorder() {
    const lines: string[] = [];
    const sink: ExecutionSink = {
      step: async (name) => {
        lines.push(`step ${name}`);
      },
      log: (level, message) => lines.push(`${level} ${message}`),
    };
    return { lines, sink };
  }

  it('pulls, starts and checks health', async () => {
    const { lines, sink } = recorder();
    const executor = createSimulatedExecutor({ stepDurationMs: 1, failureRate: 0 });
    await expect(executor.run(job, sink, new AbortController().signal)).resolves.toEqual({
      status: 'SUCCEEDED',
    });
    expect(lines).toEqual([
      'step pull',
      'INFO Pulling image api:1.2.3.',
      'INFO Pulled image api:1.2.3.',
      'step start',
      'INFO Starting api 1.2.3 (prod).',
      'INFO Started api 1.2.3.',
      'step health check',
      'INFO Checking the health of api.',
      'INFO Health check passed.',
    ]);
  });

  it('fails at the step chance picks', async () => {
    const { lines, sink } = recorder();
    // The first draw decides to fail, the second picks the step (0.5 → the second of three).
    const draws = [0.2, 0.5];
    const executor = createSimulatedExecutor({
      stepDurationMs: 1,
      failureRate: 0.3,
      random: () => draws.shift() ?? 0,
    });
    await expect(executor.run(job, sink, new AbortController().signal)).resolves.toEqual({
      status: 'FAILED',
      reason: 'Step "start" failed.',
    });
    expect(lines.slice(-2)).toEqual([
      'INFO Starting api 1.2.3 (prod).',
      'ERROR api exited with code 1 while starting.',
    ]);
  });

  it('stops at once when aborted', async () => {
    const executor = createSimulatedExecutor({ stepDurationMs: 60_000, failureRate: 0 });
    const controller = new AbortController();
    const run = executor.run(job, recorder().sink, controller.signal);
    controller.abort();
    await expect(run).rejects.toThrow();
  });
});

describe('log lines', () => {
  it('replaces what the API cannot store, and cuts long lines between code points', () => {
    expect(reportableLine('a\0b')).toBe('a\uFFFDb');
    expect(reportableLine('lone \uD83D and \uDE00, paired \uD83D\uDE00')).toBe(
      'lone \uFFFD and \uFFFD, paired \u{1F600}',
    );
    // The 10,000th UTF-16 unit is the first half of the emoji: the whole emoji goes.
    expect(reportableLine(`${'a'.repeat(9_999)}\u{1F600}`)).toBe('a'.repeat(9_999));
    expect(reportableLine(`${'a'.repeat(9_998)}\u{1F600}b`)).toBe(`${'a'.repeat(9_998)}\u{1F600}`);
  });
});

describe('shell executor config', () => {
  it('names every problem of a bad config file', async () => {
    const dir = await tempStateDir();
    try {
      const path = join(dir.path, 'shell.json');
      await writeFile(path, JSON.stringify({ steps: [{ name: '', command: 'true' }, {}] }));
      await expect(loadShellConfig(path)).rejects.toThrow(
        /Invalid shell config .*shell\.json:\n {2}- steps\.0\.name: .*\n {2}- steps\.1\.name: .*\n {2}- steps\.1\.command: /,
      );
      await writeFile(path, '{ not json');
      await expect(loadShellConfig(path)).rejects.toThrow(/Cannot read the shell config/);
      // Both stop the agent with their message alone (exit code 1), not a stack trace.
      await expect(loadShellConfig(path)).rejects.toBeInstanceOf(AgentFatalError);
      await expect(loadShellConfig(join(dir.path, 'missing.json'))).rejects.toBeInstanceOf(
        AgentFatalError,
      );
      await writeFile(
        path,
        JSON.stringify({ steps: [{ name: 'deploy', command: './deploy.sh' }] }),
      );
      await expect(loadShellConfig(path)).resolves.toEqual({
        shell: '/bin/sh',
        steps: [{ name: 'deploy', command: './deploy.sh', timeoutSeconds: 600 }],
      });
    } finally {
      await dir.remove();
    }
  });
});

describe('gateway client', () => {
  async function serve(handler: RequestListener) {
    const server = createServer(handler);
    const url = await listen(server, '127.0.0.1', 0);
    return {
      client: createGatewayClient(`${url}/graphql`, 'test'),
      close: () => {
        server.closeAllConnections();
        return closeHttpServer(server);
      },
    };
  }

  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    ((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    }) satisfies RequestListener;

  async function failureOf(handler: RequestListener) {
    const { client, close } = await serve(handler);
    try {
      return await client.request('{ a }', {}).then(
        () => null,
        (error: unknown) => error,
      );
    } finally {
      await close();
    }
  }

  it('sorts failures into API answers and transport trouble, saying whether it may have applied', async () => {
    expect(await failureOf(json(200, { data: { a: 1 } }))).toBeNull();
    const conflict = await failureOf(
      json(200, {
        data: null,
        errors: [{ message: 'taken', extensions: { code: 'CONFLICT', nodeId: 'n1' } }],
      }),
    );
    expect(conflict).toBeInstanceOf(GatewayError);
    expect(conflict).toMatchObject({ code: 'CONFLICT', extensions: { nodeId: 'n1' } });
    expect(
      await failureOf(
        json(200, {
          errors: [{ message: 'slow down', extensions: { code: 'RATE_LIMITED', retryAfter: 2 } }],
        }),
      ),
    ).toMatchObject({ processed: 'no', retryAfterMs: 2000 });
    expect(await failureOf(json(503, {}, { 'retry-after': '3' }))).toMatchObject({
      processed: 'no',
      retryAfterMs: 3000,
    });
    expect(
      await failureOf(
        json(200, { errors: [{ message: 'x', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }),
      ),
    ).toMatchObject({ name: 'TransientError', processed: 'maybe' });
    // A subgraph restarting answers through the gateway with HTTP 200 and this code.
    expect(
      await failureOf(
        json(200, {
          data: null,
          errors: [
            {
              message: 'deployments is unavailable',
              extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'deployments' },
            },
          ],
        }),
      ),
    ).toMatchObject({ name: 'TransientError', processed: 'maybe' });
    expect(await failureOf(json(502, { oops: true }))).toMatchObject({ processed: 'maybe' });
    expect(await failureOf((req) => req.socket.destroy())).toMatchObject({
      name: 'TransientError',
      processed: 'maybe',
    });
  });

  it('knows a refused connection sent nothing', async () => {
    const { client, close } = await serve(json(200, {}));
    await close();
    await expect(client.request('{ a }', {})).rejects.toMatchObject({
      name: 'TransientError',
      processed: 'no',
    });
  });
});
