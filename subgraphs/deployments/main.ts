/** Production entry point of the deployments subgraph: configuration from the environment only. */
import { runSubgraph } from '../kit/main';
import { loadDeploymentsConfig } from './env';
import { createDeploymentsSubgraph } from './server';

runSubgraph('deployments', loadDeploymentsConfig, createDeploymentsSubgraph);
