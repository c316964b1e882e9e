/** Production entry point of the users subgraph: configuration from the environment only. */
import { runSubgraph } from '../kit/main';
import { loadUsersConfig } from './env';
import { createUsersSubgraph } from './server';

runSubgraph('users', loadUsersConfig, createUsersSubgraph);
