/**
 * GraphiQL, served by the gateway from node_modules: every asset is local, so the explorer works
 * with no internet. The page has no inline script, so a strict Content-Security-Policy fits it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { PAGE_CSP } from '../platform/security-headers';
import { initScript, type GraphiQLTab } from './graphiql-script';

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

/**
 * One tab per `.graphql` file of `dir`, in name order (the gateway itself knows no operations),
 * with the variables of a `<name>.variables.json` beside it when there is one.
 */
function exampleTabs(dir: string | null): GraphiQLTab[] {
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => {
      const tab: GraphiQLTab = { query: readFileSync(join(dir, name), 'utf8') };
      const variablesPath = join(dir, name.replace(/\.graphql$/, '.variables.json'));
      if (existsSync(variablesPath)) tab.variables = readFileSync(variablesPath, 'utf8');
      return tab;
    });
}

/** A small SVG mark for the browser tab (browsers ask for /favicon.ico whatever the page says). */
const FAVICON = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#e10098"/>' +
    '<circle cx="16" cy="16" r="7" fill="none" stroke="#fff" stroke-width="3"/></svg>',
);

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
  files.set('/favicon.ico', { body: FAVICON, type: 'image/svg+xml' });
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
      // Read at every page load: the example tabs (and their variables) may change on disk,
      // e.g. `npm start` fills in the ids of the demo data it has just seeded.
      if (path === '/graphiql/init.js') {
        send(res, Buffer.from(initScript(exampleTabs(tabsDir))), 'text/javascript', 'no-cache');
        return true;
      }
      const file = files.get(path);
      if (!file) return false;
      send(res, file.body, file.type, 'public, max-age=3600');
      return true;
    },
    page: (res) => send(res, page, 'text/html', 'no-cache'),
  };
}
