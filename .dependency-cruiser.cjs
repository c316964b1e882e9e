/**
 * The layering rule (docs/architecture.md), checked by `npm run check:deps` within `npm run lint`:
 * platform/ is what every process shares and imports no process; subgraphs/kit/ is what the
 * subgraphs alone share; each subgraph stands alone; the gateway and the agent know no subgraph.
 */
const SUBGRAPHS = '(users|nodes|messages|deployments)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'platform-imports-no-process',
      comment: 'platform/ is shared by every process: it may import only itself and packages.',
      severity: 'error',
      from: { path: '^platform/' },
      to: { path: '^(gateway|agent|subgraphs|dev|bench|test|schema|examples)/' },
    },
    {
      name: 'kit-names-no-subgraph',
      comment:
        'subgraphs/kit/ is shared by the subgraphs: it imports none of them, nor the gateway.',
      severity: 'error',
      from: { path: '^subgraphs/kit/' },
      to: { path: `^(gateway|agent|dev|bench|subgraphs/${SUBGRAPHS})/` },
    },
    {
      name: 'subgraphs-stand-alone',
      comment: 'A subgraph imports no other subgraph, no gateway and no agent code.',
      severity: 'error',
      from: { path: `^subgraphs/${SUBGRAPHS}/` },
      to: {
        path: `^(gateway|agent|dev|bench|subgraphs/${SUBGRAPHS})/`,
        pathNot: '^subgraphs/$1/',
      },
    },
    {
      name: 'gateway-and-agent-know-no-subgraph',
      comment: 'The gateway and the agent talk to subgraphs over the wire only (platform/wire.ts).',
      severity: 'error',
      from: { path: '^(gateway|agent)/' },
      to: { path: '^subgraphs/' },
    },
    {
      name: 'gateway-and-agent-apart',
      comment: 'The gateway and the agent are separate processes sharing only platform/.',
      severity: 'error',
      from: { path: '^(gateway|agent)/' },
      to: { path: '^(gateway|agent)/', pathNot: '^$1/' },
    },
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
