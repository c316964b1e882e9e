/**
 * The baseline of `npm run bench -- gateway`: @apollo/gateway as its documentation sets it up,
 * with nothing tuned — the default RemoteGraphQLDataSource (only taught to forward the
 * caller's Authorization header, as every real deployment must) and Apollo Server's standalone
 * server with its default settings. It serves the same supergraph file as opsgraph's gateway.
 *
 * Env: PORT, SUPERGRAPH_PATH, SUBGRAPH_<NAME>_URL for each subgraph.
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

interface StockContext {
  authorization?: string | undefined;
}

async function main(): Promise<void> {
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(process.env.SUPERGRAPH_PATH ?? 'schema/supergraph.graphql', 'utf8'),
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<StockContext>({
        url: process.env[`SUBGRAPH_${name.toUpperCase()}_URL`] ?? url,
        willSendRequest({ request, context }) {
          if (context.authorization)
            request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  const server = new ApolloServer<StockContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port: Number(process.env.PORT ?? 4100) },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  console.error(`stock gateway at ${url}`);
  process.once('SIGTERM', () => {
    // A normal exit, so that --cpu-prof writes its profile.
    void server.stop().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
