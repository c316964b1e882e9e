import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens and resolves with the GraphQL URL (port 0 picks a free port, as tests do). A failure
 * names the address, which the process was given as HOST and PORT.
 */
export function listen(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const refused = (error: Error) =>
      reject(
        new Error(`Cannot listen on HOST ${host}, PORT ${port}: ${error.message}`, {
          cause: error,
        }),
      );
    server.once('error', refused);
    server.listen(port, host, () => {
      server.off('error', refused);
      const address = server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      resolve(`http://${shownHost}:${address.port}/graphql`);
    });
  });
}
