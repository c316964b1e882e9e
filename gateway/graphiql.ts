/**
 * GraphiQL, served by the gateway from node_modules: every asset is local, so the explorer works
 * with no internet. The page has no inline script, so a strict Content-Security-Policy fits it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { PAGE_CSP } from '../subgraphs/kit/security-headers';

const ASSETS: Record<string, { packageName: string; file: string; type: string }> = {
  '/graphiql/react.js': {
    packageName: 'react',
    file: 'umd/react.production.min.js',
    type: 'text/javascript',
  },
  '/graphiql/react-dom.js': {
    packageName: 'react-dom',
    file: 'umd/react-dom.production.min.js',
    type: 'text/javascript',
  },
  '/graphiql/graphiql.js': {
    packageName: 'graphiql',
    file: 'graphiql.min.js',
    type: 'text/javascript',
  },
  '/graphiql/graphiql.css': { packageName: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

const WELCOME = `# Welcome. Send credentials in the Headers tab below, e.g.
# { "Authorization": "Bearer <accessToken>" }
# Subscriptions run over WebSocket on this same URL.
`;

/** The page's script: a fetcher on this origin (HTTP and graphql-ws) and the example tabs. */
function initScript(tabs: { query: string }[]): string {
  return `
const origin = window.location.origin;
const fetcher = GraphiQL.createFetcher({
  url: origin + '/graphql',
  subscriptionUrl: origin.replace(/^http/, 'ws') + '/graphql',
});
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: ${JSON.stringify(WELCOME)},
    defaultTabs: ${JSON.stringify(tabs.length > 0 ? tabs : [{ query: WELCOME }])},
    shouldPersistHeaders: true,
    isHeadersEditorEnabled: true,
  }),
);
`;
}

/** One tab per `.graphql` file of `dir`, in name order (the gateway itself knows no operations). */
function exampleTabs(dir: string | null): { query: string }[] {
  if (!dir) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => ({ query: readFileSync(join(dir, name), 'utf8') }));
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>opsgraph · GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/react.js"></script>
<script src="/graphiql/react-dom.js"></script>
<script src="/graphiql/graphiql.js"></script>
<script src="/graphiql/init.js"></script>
</body>
</html>
`;

export interface GraphiQLAssets {
  /** Serves the page or one of its assets; false when the path is not GraphiQL's. */
  serve(path: string, res: ServerResponse): boolean;
  page(res: ServerResponse): void;
}

export function createGraphiQL(tabsDir: string | null): GraphiQLAssets {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const [path, { packageName, file, type }] of Object.entries(ASSETS)) {
    // Resolved through package.json: the UMD builds are not in the packages' export maps.
    const packageDir = dirname(require.resolve(`${packageName}/package.json`));
    files.set(path, { body: readFileSync(join(packageDir, file)), type });
  }
  files.set('/graphiql/init.js', {
    body: Buffer.from(initScript(exampleTabs(tabsDir))),
    type: 'text/javascript',
  });
  const page = Buffer.from(PAGE);
  const send = (res: ServerResponse, body: Buffer, type: string, cache: string) => {
    res.writeHead(200, {
      'content-security-policy': PAGE_CSP,
      'content-type': `${type}; charset=utf-8`,
      'content-length': body.length,
      'cache-control': cache,
    });
    res.end(body);
  };
  return {
    serve(path, res) {
      const file = files.get(path);
      if (!file) return false;
      send(res, file.body, file.type, 'public, max-age=3600');
      return true;
    },
    page: (res) => send(res, page, 'text/html', 'no-cache'),
  };
}
