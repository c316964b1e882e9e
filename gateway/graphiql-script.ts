/**
 * The GraphiQL page's own script (served as /graphiql/init.js; the page allows no inline script).
 * GraphiQL keeps headers per tab, so one sign-in would otherwise have to be pasted into every
 * tab: here one credential, kept in the browser's localStorage, goes with every tab's requests
 * (HTTP and graphql-ws alike) unless a tab sets its own. It is set by the "Credentials" panel,
 * or picked up from any mutation result that carries an `accessToken` (a login, a sign-up, a
 * refresh). Written as plain browser JavaScript with React.createElement: nothing is bundled.
 */

export interface GraphiQLTab {
  query: string;
  /** JSON text for the tab's variables editor. */
  variables?: string;
}

const WELCOME = `# Welcome. Sign in once in the Credentials panel (the key icon on the left), or run
# a login mutation: every tab then sends the credential. Subscriptions run over WebSocket on
# this same URL.
`;

const defaultTabs = (tabs: GraphiQLTab[]): GraphiQLTab[] =>
  tabs.length > 0 ? tabs : [{ query: WELCOME }];

export function initScript(tabs: GraphiQLTab[]): string {
  return `
const h = React.createElement;
const origin = window.location.origin;
const STORE = 'opsgraph:credential';
const listeners = new Set();

function readCredential() {
  try { return JSON.parse(localStorage.getItem(STORE)) || null; } catch { return null; }
}
function writeCredential(credential) {
  if (credential) localStorage.setItem(STORE, JSON.stringify(credential));
  else localStorage.removeItem(STORE);
  for (const listener of listeners) listener(credential);
}
// A JWT (three dot-separated parts) is a bearer token; anything else is taken for an API key.
function credentialOf(secret, label) {
  const value = secret.trim();
  return /^[\\w-]+\\.[\\w-]+\\.[\\w-]+$/.test(value)
    ? { header: 'Authorization', value: 'Bearer ' + value, label }
    : { header: 'x-api-key', value, label };
}
function hasCredential(headers) {
  return Object.keys(headers || {}).some((name) => /^(authorization|x-api-key)$/i.test(name));
}
function captureSession(result) {
  for (const value of Object.values((result && result.data) || {})) {
    if (value && typeof value.accessToken === 'string') {
      const user = value.user && (value.user.username || value.user.email);
      writeCredential(credentialOf(value.accessToken, user || 'a new session'));
    }
  }
}
function isMutation(documentAST, operationName) {
  const operations = ((documentAST && documentAST.definitions) || []).filter(
    (d) => d.kind === 'OperationDefinition',
  );
  const chosen = operationName
    ? operations.find((d) => d.name && d.name.value === operationName)
    : operations[0];
  return !!chosen && chosen.operation === 'mutation';
}
// Only mutation results are watched: wrapping a subscription's stream would delay stopping it.
async function* watched(results) {
  for await (const result of results) {
    captureSession(result);
    yield result;
  }
}

const base = GraphiQL.createFetcher({
  url: origin + '/graphql',
  subscriptionUrl: origin.replace(/^http/, 'ws') + '/graphql',
});
async function fetcher(params, options) {
  const tabHeaders = (options && options.headers) || {};
  const credential = readCredential();
  const headers =
    credential && !hasCredential(tabHeaders)
      ? { ...tabHeaders, [credential.header]: credential.value }
      : tabHeaders;
  const result = await base(params, { ...options, headers });
  if (!isMutation(options && options.documentAST, params.operationName)) return result;
  if (result && typeof result[Symbol.asyncIterator] === 'function') return watched(result);
  captureSession(result);
  return result;
}

function KeyIcon() {
  return h('svg', { viewBox: '0 0 24 24', width: 20, height: 20, 'aria-hidden': 'true' },
    h('path', {
      fill: 'none', stroke: 'currentColor', strokeWidth: 1.5,
      d: 'M15 7a4 4 0 1 1-3.9 4.9L4 19v-3h3v-3h3l1.1-1.1A4 4 0 0 1 15 7z',
    }));
}

function CredentialsPanel() {
  const [credential, setCredential] = React.useState(readCredential());
  const [secret, setSecret] = React.useState('');
  React.useEffect(() => {
    listeners.add(setCredential);
    return () => listeners.delete(setCredential);
  }, []);
  const apply = (event) => {
    event.preventDefault();
    if (!secret.trim()) return;
    writeCredential(credentialOf(secret, 'a pasted credential'));
    setSecret('');
  };
  return h('div', { className: 'opsgraph-credentials', style: { display: 'grid', gap: '12px' } },
    h('div', { className: 'graphiql-doc-explorer-title' }, 'Credentials'),
    h('p', { 'data-testid': 'credential-status' },
      credential
        ? 'Every tab sends ' + credential.header + ' for ' + credential.label +
          ' (a tab\\'s own Authorization or x-api-key header wins).'
        : 'Not signed in. Run the Login tab (or any mutation returning an accessToken), or paste an access token or API key below: every tab will send it.'),
    h('form', { onSubmit: apply, style: { display: 'grid', gap: '8px' } },
      h('input', {
        type: 'password', value: secret, autoComplete: 'off',
        placeholder: 'access token or API key', 'aria-label': 'access token or API key',
        onChange: (event) => setSecret(event.target.value),
        style: { padding: '6px', font: 'inherit' },
      }),
      h('button', { type: 'submit', className: 'graphiql-button' }, 'Use in every tab')),
    credential && h('button', {
      type: 'button', className: 'graphiql-button', onClick: () => writeCredential(null),
    }, 'Sign out'));
}

ReactDOM.createRoot(document.getElementById('graphiql')).render(
  h(GraphiQL, {
    fetcher,
    defaultQuery: ${JSON.stringify(WELCOME)},
    defaultTabs: ${JSON.stringify(defaultTabs(tabs))},
    shouldPersistHeaders: true,
    isHeadersEditorEnabled: true,
    plugins: [{ title: 'Credentials', icon: KeyIcon, content: CredentialsPanel }],
    visiblePlugin: readCredential() ? undefined : 'Credentials',
  }),
);
`;
}
