/** Production entry point of the nodes subgraph: configuration from the environment only. */
import { runSubgraph } from '../kit/main';
import { loadNodesConfig } from './env';
import { createNodesSubgraph } from './server';

runSubgraph('nodes', loadNodesConfig, createNodesSubgraph);
