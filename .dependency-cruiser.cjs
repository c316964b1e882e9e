/**
 * The layering rule (docs/architecture.md), checked by `npm run check:deps` within `npm run lint`:
 * platform/ is what every process shares and imports no process; subgraphs/kit/ is what the
 * subgraphs alone share; each subgraph stands alone; the gateway and the agent know no subgraph.
 */
const SUBGRAPHS = '(users|nodes|messages|deployments)';

const PROCESSES = '(gateway|agent|dev|bench)';

/** [name, why, from, to, to unless]: an import from `from` to `to` fails the lint. */
const RULES = [
  [
    'platform-imports-no-process',
    'platform/ is shared by every process: it may import only itself and packages.',
    '^platform/',
    '^(gateway|agent|subgraphs|dev|bench|test|schema|examples)/',
  ],
  [
    'kit-names-no-subgraph',
    'subgraphs/kit/ is shared by the subgraphs: it imports none of them, nor the gateway.',
    '^subgraphs/kit/',
    `^(${PROCESSES}|subgraphs/${SUBGRAPHS})/`,
  ],
  [
    'subgraphs-stand-alone',
    'A subgraph imports no other subgraph, no gateway and no agent code.',
    `^subgraphs/${SUBGRAPHS}/`,
    `^(${PROCESSES}|subgraphs/${SUBGRAPHS})/`,
    '^subgraphs/$1/',
  ],
  [
    'gateway-and-agent-know-no-subgraph',
    'The gateway and the agent talk to subgraphs over the wire only (platform/wire.ts).',
    '^(gateway|agent)/',
    '^subgraphs/',
  ],
  [
    'gateway-and-agent-apart',
    'The gateway and the agent are separate processes sharing only platform/.',
    '^(gateway|agent)/',
    '^(gateway|agent)/',
    '^$1/',
  ],
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...RULES.map(([name, comment, from, to, unless]) => ({
      name,
      comment,
      severity: 'error',
      from: { path: from },
      to: unless ? { path: to, pathNot: unless } : { path: to },
    })),
    {
      name: 'no-circular',
      comment: 'An import circle makes the load order decide what a module sees.',
      severity: 'error',
      from: { path: '^(platform|gateway|agent|subgraphs|dev|bench)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|__generated__)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
