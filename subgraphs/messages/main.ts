/** Production entry point of the messages subgraph: configuration from the environment only. */
import { runSubgraph } from '../kit/main';
import { loadMessagesConfig } from './env';
import { createMessagesSubgraph } from './server';

runSubgraph('messages', loadMessagesConfig, createMessagesSubgraph);
