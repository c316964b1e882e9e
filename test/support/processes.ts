/** Ports and process groups of services a test or benchmark starts as real processes. */
import { createServer } from 'node:net';

/** Whether nothing listens on the port on loopback (until someone does). */
export const isPortFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** Whether any process of the group is alive (signal 0 only checks). */
export function processGroupAlive(groupId: number): boolean {
  try {
    process.kill(-groupId, 0);
    return true;
  } catch {
    return false;
  }
}
