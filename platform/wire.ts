/**
 * The contract between the gateway and the subgraphs, on the wire: what the gateway forwards,
 * what a subgraph answers beyond GraphQL's own fields, and the limits both sides agree on. Each
 * side reads and writes it through these functions, so the two cannot drift apart. The error
 * codes that cross the wire are the catalogue's (errors.ts): subgraphs raise them, the gateway
 * passes them through and adds SUBGRAPH_UNAVAILABLE.
 */

/** The largest page a subgraph serves; the gateway costs an operation assuming no more. */
export const MAX_PAGE_SIZE = 500;
