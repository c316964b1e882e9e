/** The executor the command line asks for. */
import type { AgentOptions } from '../args';
import type { Executor } from './executor';
import { createShellExecutor, loadShellConfig } from './shell';
import { createSimulatedExecutor } from './simulated';

export async function createExecutor(options: AgentOptions): Promise<Executor> {
  if (options.executor === 'shell' && options.shellConfig) {
    return createShellExecutor(await loadShellConfig(options.shellConfig));
  }
  return createSimulatedExecutor(options);
}
