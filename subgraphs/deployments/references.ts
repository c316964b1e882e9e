/**
 * Entities owned by other subgraphs, as this one sees them: their key only. The gateway fetches
 * their other fields from the owning subgraph.
 */
export interface NodeReference {
  id: string;
}

export interface UserReference {
  id: string;
}
