/**
 * GraphiQL's example tabs for `npm start`: the example operations, each with variables that
 * work against the demo data (the demo login, the #general channel, a finished deployment).
 * Written to a folder of their own, which the gateway reads at every page load.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  concatAST,
  Kind,
  parse,
  separateOperations,
  type DocumentNode,
  type FragmentDefinitionNode,
} from 'graphql';
import { DEMO, type DemoData } from './seed-demo';

/** Variables per example file (by name without `.graphql`); a file's operations share them. */
export function exampleVariables(demo: DemoData): Record<string, Record<string, unknown>> {
  return {
    chat: { id: demo.channelId, channelId: demo.channelId },
    dashboard: { after: null },
    'deployment-log': { id: demo.deploymentId, deploymentId: demo.deploymentId },
    login: {
      input: { usernameOrEmail: DEMO.username, password: DEMO.password },
      refreshToken: '<the refreshToken Login returned>',
    },
    me: {},
    'sign-up': {
      input: {
        organizationName: 'Another Team',
        username: 'newcomer',
        email: 'newcomer@example.com',
        password: 'a-long-enough-password',
      },
    },
  };
}

export interface ExampleTab {
  /** The example file's name without `.graphql`. */
  name: string;
  /** The file as written, then the shared fragments its operations spread (as written too). */
  query: string;
}

/**
 * One tab per example file with operations. A file of fragments only (fragments.graphql) is no
 * tab: its fragments are appended to each tab that spreads them, so every tab runs alone.
 */
export function exampleTabs(examplesDir: string): ExampleTab[] {
  const files = readdirSync(examplesDir)
    .filter((file) => file.endsWith('.graphql'))
    .map((file) => {
      const text = readFileSync(join(examplesDir, file), 'utf8');
      return { name: file.replace(/\.graphql$/, ''), text, document: parse(text) };
    });
  const isTab = (file: { document: DocumentNode }) =>
    file.document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION);
  const fragmentFiles = files.filter((file) => !isTab(file));
  const sharedText = new Map(
    fragmentFiles.flatMap(({ text, document }) =>
      document.definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, text.slice(d.loc!.start, d.loc!.end)] as const),
    ),
  );
  const shared = concatAST(fragmentFiles.map((file) => file.document));
  return files.filter(isTab).map(({ name, text, document }) => {
    // Each operation with every fragment it uses, transitively; of those, the shared ones are
    // appended (the file defines the others itself).
    const used = new Set(
      Object.values(separateOperations(concatAST([document, shared]))).flatMap((operation) =>
        operation.definitions.flatMap((d) =>
          d.kind === Kind.FRAGMENT_DEFINITION ? [d.name.value] : [],
        ),
      ),
    );
    const appended = [...sharedText]
      .filter(([fragment]) => used.has(fragment))
      .map(([, source]) => source);
    return { name, query: `${[text.trimEnd(), ...appended].join('\n\n')}\n` };
  });
}

export function writeGraphiQLTabs(examplesDir: string, tabsDir: string, demo: DemoData): void {
  mkdirSync(tabsDir, { recursive: true });
  const variables = exampleVariables(demo);
  for (const { name, query } of exampleTabs(examplesDir)) {
    writeFileSync(join(tabsDir, `${name}.graphql`), query);
    const values = variables[name];
    if (values && Object.keys(values).length > 0)
      writeFileSync(
        join(tabsDir, `${name}.variables.json`),
        `${JSON.stringify(values, null, 2)}\n`,
      );
  }
}
