import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens and resolves with the GraphQL URL (port 0 picks a free port, as tests do). */
export function listen(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      resolve(`http://${shownHost}:${address.port}/graphql`);
    });
  });
}
