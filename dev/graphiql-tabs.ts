/**
 * GraphiQL's example tabs for `npm start`: the example operations, each with variables that
 * work against the demo data (the demo login, the #general channel, a finished deployment).
 * Written to a folder of their own, which the gateway reads at every page load.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

export function writeGraphiQLTabs(examplesDir: string, tabsDir: string, demo: DemoData): void {
  mkdirSync(tabsDir, { recursive: true });
  const variables = exampleVariables(demo);
  for (const file of readdirSync(examplesDir).filter((name) => name.endsWith('.graphql'))) {
    copyFileSync(join(examplesDir, file), join(tabsDir, file));
    const values = variables[file.replace(/\.graphql$/, '')];
    if (values && Object.keys(values).length > 0)
      writeFileSync(
        join(tabsDir, file.replace(/\.graphql$/, '.variables.json')),
        `${JSON.stringify(values, null, 2)}\n`,
      );
  }
}
