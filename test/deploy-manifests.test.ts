/**
 * The deployment manifests in deploy/: the Dockerfile, the Compose file (with its HAProxy
 * config) and the Kubernetes manifests. No container engine or cluster runs here, so the test
 * reads them as data and checks what operators rely on: probes, resources, autoscaling,
 * disruption budgets, who may reach whom, and that every service's environment is one its own
 * configuration loader accepts. `docker compose config` and `kubectl kustomize` run too where
 * those tools are installed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadGatewayConfig } from '../gateway/env';
import { INTROSPECTION_PATH } from '../platform/api-keys';
import type { Environment } from '../platform/env';
import { generateSigningKey, publicJwkOf } from '../platform/tokens';
import { loadDeploymentsConfig } from '../subgraphs/deployments/env';
import { loadMessagesConfig } from '../subgraphs/messages/env';
import { loadNodesConfig } from '../subgraphs/nodes/env';
import { loadUsersConfig } from '../subgraphs/users/env';
import type { SubgraphBaseConfig } from '../subgraphs/kit/service-config';

const ROOT = join(__dirname, '..');
const DEPLOY = join(ROOT, 'deploy');
const K8S = join(DEPLOY, 'k8s');
const read = (...path: string[]) => readFileSync(join(ROOT, ...path), 'utf8');

const SUBGRAPHS = { users: 4001, nodes: 4002, messages: 4003, deployments: 4004 } as const;
const SERVICES = { gateway: 4000, ...SUBGRAPHS } as const;
type Service = keyof typeof SERVICES;

/** Each service's own configuration loader: an environment it accepts is one it starts with. */
const LOADERS: Record<Service, (env: Environment) => unknown> = {
  gateway: loadGatewayConfig,
  users: loadUsersConfig,
  nodes: loadNodesConfig,
  messages: loadMessagesConfig,
  deployments: loadDeploymentsConfig,
};

const K8S_FILES = readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const manifests: any[] = K8S_FILES.flatMap((file) =>
  parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((doc) => doc.toJS()),
);
const find = (kind: string, name: string) =>
  manifests.find((m) => m.kind === kind && m.metadata.name === name);
const containerOf = (service: Service) =>
  find('Deployment', service).spec.template.spec.containers[0];
/** The built script a service's container runs (the last item of its command). */
const entryOf = (service: Service) =>
  service === 'gateway' ? 'dist/gateway/main.js' : `dist/subgraphs/${service}/main.js`;

const usersKey = generateSigningKey('users-test');
const nodesKey = generateSigningKey('nodes-test');
/** What an operator puts in deploy/.env or the `opsgraph` Secret. */
const SETTINGS = {
  POSTGRES_PASSWORD: 'p4ssword',
  USERS_JWT_PRIVATE_KEY: JSON.stringify(usersKey),
  NODES_JWT_PRIVATE_KEY: JSON.stringify(nodesKey),
  JWT_PUBLIC_KEYS: JSON.stringify({ keys: [publicJwkOf(usersKey), publicJwkOf(nodesKey)] }),
};
const SECRET: Record<string, string> = {
  'database-url': 'postgres://opsgraph:p4ssword@postgres.db:5432/opsgraph',
  // Optional: a Secret without it leaves the subgraphs on the primary alone.
  'database-replica-urls':
    'postgres://opsgraph:p4ssword@replica-1.db:5432/opsgraph,postgres://opsgraph:p4ssword@replica-2.db:5432/opsgraph',
  // Optional: without it, the subgraphs count every client behind a gateway as that gateway.
  'trusted-proxies': '10.244.0.0/16',
  'redis-url': 'redis://redis.db:6379',
  'jwt-public-keys': SETTINGS.JWT_PUBLIC_KEYS,
  'users-jwt-private-key': SETTINGS.USERS_JWT_PRIVATE_KEY,
  'nodes-jwt-private-key': SETTINGS.NODES_JWT_PRIVATE_KEY,
};

const operations = read('docs', 'operations.md');

/**
 * What the gateways are configured with beside their subgraphs: API keys verified at the edge
 * (issue 16: none of the manifests set it), and the documented breaker and retry settings.
 */
const GATEWAY_RESILIENCE = {
  apiKeyIntrospectionUrl: `http://users:4001${INTROSPECTION_PATH}`,
  subgraphResilience: {
    breaker: { failures: 5, windowMs: 30_000, openMs: 30_000 },
    retry: { attempts: 3, budgetMs: 1_000 },
  },
};
/** Claim leases of six 15 s heartbeats, swept by one replica every 15 s. */
const LEASES = { leaseMs: 90_000, leaseSweepIntervalMs: 15_000 };

/** `dist/x/main.js` is built from `x/main.ts`. */
const builtFromSource = (script: string) =>
  existsSync(join(ROOT, script.replace(/^dist\//, '').replace(/\.js$/, '.ts')));

function commandWorks(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

describe('Dockerfile', () => {
  const dockerfile = read('deploy', 'Dockerfile');

  it('builds in one stage and runs production dependencies only, as a non-root user', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/npm ci\b/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/gateway\/main\.js"\]$/m);
    for (const [, path] of runtime.matchAll(/^COPY --from=build \/app\/(\S+)/gm))
      expect(['package.json', 'node_modules', 'dist', 'schema']).toContain(path);
  });
});

describe('docker-compose.yml', () => {
  const text = read('deploy', 'docker-compose.yml');

  /** Compose's own interpolation of string values, for the forms the file uses. */
  function interpolate(value: unknown, variables: Record<string, string>): any {
    if (typeof value === 'string')
      return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name, kind, rest) => {
        const found = variables[name];
        if (found) return found;
        if (kind === '?') throw new Error(rest);
        return kind === '-' ? rest : '';
      });
    if (Array.isArray(value)) return value.map((item) => interpolate(item, variables));
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, interpolate(item, variables)]),
      );
    return value;
  }

  const raw = parse(text, { merge: true });
  const compose = interpolate(raw, SETTINGS);
  const services: Record<string, any> = compose.services;
  const environmentOf = (service: string): Environment =>
    Object.fromEntries(
      Object.entries(services[service].environment ?? {}).map(([k, v]) => [k, String(v ?? '')]),
    );

  it('runs PostgreSQL, Redis, a migration, four subgraphs, two gateways and a load balancer', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'postgres',
        'redis',
        'migrate',
        ...Object.keys(SUBGRAPHS),
        'gateway-1',
        'gateway-2',
        'load-balancer',
      ].sort(),
    );
    expect(services.postgres.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes)).toContain('postgres-data');
    expect(services.migrate.command).toEqual(['node', 'dist/dev/migrate.js']);
  });

  it('checks the health of every long-running service', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'migrate') continue;
      expect([name, service.healthcheck?.test?.length > 0]).toEqual([name, true]);
    }
  });

  it('starts each service with an environment its configuration accepts', () => {
    const gateways = ['gateway-1', 'gateway-2'];
    for (const name of [...Object.keys(SUBGRAPHS), ...gateways]) {
      const service: Service = gateways.includes(name) ? 'gateway' : (name as Service);
      const env = environmentOf(name);
      // The same node flags as in Kubernetes: heap and young generation sizes (docs/operations.md).
      expect(services[name].command).toEqual(containerOf(service).command);
      expect(LOADERS[service](env)).toMatchObject({ port: SERVICES[service], production: true });
    }
    for (const { command } of Object.values(services))
      if (command?.[0] === 'node') expect(builtFromSource(command.at(-1))).toBe(true);
    expect(loadGatewayConfig(environmentOf('gateway-1'))).toMatchObject({
      subgraphUrls: Object.fromEntries(
        Object.entries(SUBGRAPHS).map(([name, port]) => [name, `http://${name}:${port}/graphql`]),
      ),
    });
  });

  it('starts subgraphs after the migration, gateways with the subgraphs (ready once any answers)', () => {
    for (const name of Object.keys(SUBGRAPHS))
      expect(services[name].depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      });
    // Not after every subgraph is healthy: one that cannot start would hold back the whole API.
    for (const name of ['gateway-1', 'gateway-2'])
      expect(services[name].depends_on).toEqual(
        Object.fromEntries(
          Object.keys(SUBGRAPHS).map((s) => [s, { condition: 'service_started' }]),
        ),
      );
  });

  it('verifies API keys at the gateways, configures breakers and claim leases', () => {
    for (const name of ['gateway-1', 'gateway-2'])
      expect(loadGatewayConfig(environmentOf(name))).toMatchObject(GATEWAY_RESILIENCE);
    expect(loadDeploymentsConfig(environmentOf('deployments'))).toMatchObject(LEASES);
  });

  it('balances over both gateways, checking their readiness, and is trusted as their proxy', () => {
    const balancer = services['load-balancer'];
    expect(balancer.volumes).toContain('./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    const haproxy = read('deploy', 'haproxy.cfg');
    expect(haproxy).toMatch(/option httpchk GET \/readyz/);
    expect(haproxy).toMatch(/default-server check /);
    expect([...haproxy.matchAll(/^\s*server (\S+) (\S+)$/gm)].map((m) => m[2])).toEqual([
      'gateway-1:4000',
      'gateway-2:4000',
    ]);
    const address = (name: string) => services[name].networks.opsgraph.ipv4_address;
    for (const name of ['gateway-1', 'gateway-2'])
      expect(environmentOf(name).TRUSTED_PROXIES).toBe(address('load-balancer'));
    for (const name of Object.keys(SUBGRAPHS))
      expect(environmentOf(name).TRUSTED_PROXIES).toBe(
        `${address('gateway-1')},${address('gateway-2')}`,
      );
  });

  it('mounts the repository schema folder into the gateways, which reload the supergraph', () => {
    for (const name of ['gateway-1', 'gateway-2']) {
      expect(services[name].volumes).toEqual(['../schema:/etc/opsgraph/schema:ro']);
      expect(environmentOf(name).SUPERGRAPH_PATH).toBe('/etc/opsgraph/schema/supergraph.graphql');
    }
  });

  it('requires the secrets, each listed in .env.example and documented', () => {
    const required = [...text.matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]!);
    expect(new Set(required)).toEqual(new Set(Object.keys(SETTINGS)));
    const example = read('deploy', '.env.example');
    for (const name of required) {
      expect(example).toMatch(new RegExp(`^${name}=`, 'm'));
      expect(operations).toContain(name);
      expect(() => interpolate(raw, { ...SETTINGS, [name]: '' })).toThrow(name);
    }
  });

  const cli = commandWorks('docker', ['compose', 'version'])
    ? ['docker', 'compose']
    : commandWorks('docker-compose', ['version'])
      ? ['docker-compose']
      : null;
  (cli ? it : it.skip)('is valid for `docker compose config`', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsgraph-compose-'));
    try {
      const envFile = join(dir, 'test.env');
      const lines = Object.entries(SETTINGS).map(([name, value]) => `${name}='${value}'`);
      writeFileSync(envFile, lines.join('\n') + '\n');
      const [command, ...args] = cli!;
      const compose = [...args, '--env-file', envFile, '-f', join(DEPLOY, 'docker-compose.yml')];
      execFileSync(command!, [...compose, 'config', '-q'], { stdio: 'pipe' });
      // Without the keys it refuses, naming what is missing.
      writeFileSync(envFile, lines.slice(0, 1).join('\n') + '\n');
      expect(() => execFileSync(command!, [...compose, 'config', '-q'], { stdio: 'pipe' })).toThrow(
        /USERS_JWT_PRIVATE_KEY|NODES_JWT_PRIVATE_KEY|JWT_PUBLIC_KEYS/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Kubernetes manifests', () => {
  const kustomization = parse(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8'));
  const labelsOf = (service: string) => find('Deployment', service).spec.template.metadata.labels;
  const matches = (selector: Record<string, string> = {}, labels: Record<string, string>) =>
    Object.entries(selector).every(([key, value]) => labels[key] === value);

  it('are all listed in the kustomization', () => {
    expect([...kustomization.resources].sort()).toEqual([...K8S_FILES].sort());
    expect(kustomization.namespace).toBe('opsgraph');
  });

  describe.each(Object.keys(SERVICES) as Service[])('%s', (service) => {
    const port = SERVICES[service];

    it('has a Deployment with both probes, requests and limits', () => {
      const container = containerOf(service);
      const [node, ...flags] = container.command.slice(0, -1);
      expect([node, container.command.at(-1)]).toEqual(['node', entryOf(service)]);
      for (const flag of flags) expect(flag).toMatch(/^--[a-z-]+=\d+$/);
      expect(builtFromSource(entryOf(service))).toBe(true);
      expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      for (const bound of ['requests', 'limits'])
        expect(Object.keys(container.resources[bound]).sort()).toEqual(['cpu', 'memory']);
      const deployment = find('Deployment', service);
      expect(matches(deployment.spec.selector.matchLabels, labelsOf(service))).toBe(true);
    });

    it("sizes Node's heap to fit its memory limit", () => {
      const container = containerOf(service);
      const flag = (name: string) =>
        Number(
          /=(\d+)$/.exec(container.command.find((f: string) => f.startsWith(`--${name}=`)))?.[1],
        );
      const limitMiB = Number(/^(\d+)Mi$/.exec(container.resources.limits.memory)?.[1]);
      // The old space, the young generation's two semi-spaces (V8's default is 16 MiB each),
      // and room for code, buffers and native memory.
      const semiSpace = flag('max-semi-space-size') || 16;
      expect(flag('max-old-space-size') + 2 * semiSpace + 96).toBeLessThanOrEqual(limitMiB);
      // The young generation starts at its largest size, so the RSS does not step up once load
      // makes V8 grow it (and NODE_OPTIONS, which refuses that flag, stays unset).
      expect(flag('min-semi-space-size')).toBe(semiSpace);
      const env: { name: string }[] = container.env;
      expect(env.map((variable) => variable.name)).not.toContain('NODE_OPTIONS');
    });

    it('is configured by an environment its loader accepts, secrets from the Secret', () => {
      const env: Environment = {};
      for (const variable of containerOf(service).env) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref) {
          expect(ref.name).toBe('opsgraph');
          expect(Object.keys(SECRET)).toContain(ref.key);
          env[variable.name] = SECRET[ref.key];
        } else {
          env[variable.name] = variable.value;
        }
      }
      expect(LOADERS[service](env)).toMatchObject({ port, production: true });
      if (service !== 'gateway')
        expect((LOADERS[service](env) as SubgraphBaseConfig).trustedProxies.has('10.244.3.7')).toBe(
          true,
        );
    });

    it('has a Service, an autoscaler and a disruption budget', () => {
      const serviceObject = find('Service', service);
      expect(serviceObject.spec.selector).toEqual(labelsOf(service));
      expect(serviceObject.spec.ports).toEqual([{ name: 'http', port, targetPort: 'http' }]);
      const hpa = find('HorizontalPodAutoscaler', service);
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: service,
      });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
      const pdb = find('PodDisruptionBudget', service);
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(matches(pdb.spec.selector.matchLabels, labelsOf(service))).toBe(true);
      expect(pdb.spec.maxUnavailable ?? pdb.spec.minAvailable).toBe(1);
    });
  });

  it('verify API keys at the gateway, configure breakers and claim leases', () => {
    const environmentOf = (service: Service): Environment =>
      Object.fromEntries(
        containerOf(service).env.map((v: any) => [
          v.name,
          v.valueFrom ? SECRET[v.valueFrom.secretKeyRef.key] : v.value,
        ]),
      );
    expect(loadGatewayConfig(environmentOf('gateway'))).toMatchObject(GATEWAY_RESILIENCE);
    expect(loadDeploymentsConfig(environmentOf('deployments'))).toMatchObject(LEASES);
    // Readiness (any subgraph answering) takes the gateway out of rotation; liveness does not
    // depend on the subgraphs, so a subgraph outage never restarts gateways.
    const gateway = containerOf('gateway');
    expect(gateway.livenessProbe.httpGet.path).toBe('/healthz');
    expect(gateway.readinessProbe.httpGet.path).toBe('/readyz');
  });

  it('give the gateway the supergraph ConfigMap, mounted as a directory it reloads from', () => {
    const pod = find('Deployment', 'gateway').spec.template.spec;
    const generator = kustomization.configMapGenerator.find(
      (g: any) => g.name === 'opsgraph-supergraph',
    );
    expect(generator.files).toEqual(['supergraph.graphql=../../schema/supergraph.graphql']);
    expect(existsSync(join(K8S, '../../schema/supergraph.graphql'))).toBe(true);
    expect(kustomization.generatorOptions.disableNameSuffixHash).toBe(true);
    const volume = pod.volumes.find((v: any) => v.configMap?.name === 'opsgraph-supergraph');
    const mount = pod.containers[0].volumeMounts.find((m: any) => m.name === volume.name);
    expect(mount.subPath).toBeUndefined();
    const path = pod.containers[0].env.find((e: any) => e.name === 'SUPERGRAPH_PATH').value;
    expect(path).toBe(posix.join(mount.mountPath, 'supergraph.graphql'));
  });

  it('let only the gateway reach the subgraphs, and subgraphs reach those they call', () => {
    const policies = manifests.filter((m) => m.kind === 'NetworkPolicy');
    /** Whether a pod labelled `from` may open a connection to `to` on `port`. */
    const allowed = (from: Record<string, string>, to: Record<string, string>, port: number) => {
      const selecting = policies.filter(
        (p) =>
          p.spec.policyTypes.includes('Ingress') && matches(p.spec.podSelector.matchLabels, to),
      );
      if (selecting.length === 0) return true;
      return selecting.some((p) =>
        (p.spec.ingress ?? []).some(
          (rule: any) =>
            (!rule.from ||
              rule.from.some((peer: any) => matches(peer.podSelector?.matchLabels, from))) &&
            (!rule.ports || rule.ports.some((p: any) => p.port === port)),
        ),
      );
    };
    const sources: Record<string, Record<string, string>> = {
      outside: { app: 'ingress-controller' },
      ...Object.fromEntries(Object.keys(SERVICES).map((s) => [s, labelsOf(s)])),
    };
    const reach = Object.fromEntries(
      (Object.keys(SERVICES) as Service[]).map((target) => [
        target,
        Object.keys(sources).filter(
          (source) =>
            source !== target && allowed(sources[source]!, labelsOf(target), SERVICES[target]),
        ),
      ]),
    );
    expect(reach).toEqual({
      gateway: ['outside', 'users', 'nodes', 'messages', 'deployments'],
      users: ['gateway', 'nodes', 'messages', 'deployments'],
      nodes: ['gateway', 'deployments'],
      messages: ['gateway'],
      deployments: ['gateway'],
    });
  });

  it('document every key of the Secret', () => {
    for (const key of Object.keys(SECRET)) expect(operations).toContain(key);
  });

  (commandWorks('kubectl', ['version', '--client']) ? it : it.skip)(
    'build with kustomize, the ConfigMap holding the committed supergraph',
    () => {
      const built = execFileSync(
        'kubectl',
        ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', K8S],
        { encoding: 'utf8' },
      );
      const objects = parseAllDocuments(built).map((doc) => doc.toJS());
      const configMap = objects.find((o) => o.kind === 'ConfigMap');
      expect(configMap.metadata).toMatchObject({
        name: 'opsgraph-supergraph',
        namespace: 'opsgraph',
      });
      expect(configMap.data['supergraph.graphql']).toBe(read('schema', 'supergraph.graphql'));
      for (const object of objects.filter((o) => o.kind !== 'Namespace'))
        expect(object.metadata.namespace).toBe('opsgraph');
      for (const deployment of objects.filter((o) => o.kind === 'Deployment'))
        expect(deployment.spec.template.spec.containers[0].image).toMatch(/^opsgraph:/);
    },
  );
});

it('docs/operations.md documents every variable the manifests set', () => {
  const names = new Set<string>();
  const compose = parse(read('deploy', 'docker-compose.yml'), { merge: true });
  for (const service of Object.values<any>(compose.services))
    for (const name of Object.keys(service.environment ?? {})) names.add(name);
  for (const file of readdirSync(K8S))
    for (const doc of parseAllDocuments(readFileSync(join(K8S, file), 'utf8')))
      for (const container of doc.toJS()?.spec?.template?.spec?.containers ?? [])
        for (const variable of container.env ?? []) names.add(variable.name);
  const postgresImage = ['POSTGRES_USER', 'POSTGRES_DB', 'POSTGRES_PASSWORD'];
  for (const name of names)
    if (!postgresImage.includes(name))
      expect([name, operations.includes(`\`${name}\``)]).toEqual([name, true]);
});
