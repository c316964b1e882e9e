/**
 * The request as every subgraph's context factory receives it, over HTTP (subgraph-server.ts)
 * and WebSocket (subscription-server.ts) alike.
 */
import type { CredentialHeaders } from '../../platform/credentials';
import type { Logger } from '../../platform/logger';
import type { Principal } from '../../platform/principal';
import type { ReadMode } from './reads';
import type { StreamState } from './resumable';

/** What every subgraph knows about a request before its own context factory runs. */
export interface RequestInfo {
  requestId: string;
  principal: Principal | null;
  clientAddress: string;
  logger: Logger;
  /**
   * The caller's credentials as received, for the rare call a subgraph makes to another one on
   * the caller's behalf (zero trust: the other subgraph authorizes the caller itself).
   */
  credentials: CredentialHeaders;
  /** For WebSocket subscriptions only: where a resumable stream resumes and has got to. */
  stream?: StreamState;
  /**
   * Whether the request only reads, so that its read paths skip the unit of work (reads.ts).
   * Set for HTTP requests once the operation is known; absent, reads load entities.
   */
  mode?: ReadMode;
}
