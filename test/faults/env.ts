/** The fault suite's knobs, read once: a seed to replay a run, and the workload's size. */
export const FAULT_SEED =
  process.env.FAULT_SEED !== undefined && process.env.FAULT_SEED !== ''
    ? Number(process.env.FAULT_SEED)
    : Math.floor(Math.random() * 2 ** 31);
/** Chat messages posted while faults are injected. */
export const FAULT_MESSAGES = Number(process.env.FAULT_MESSAGES ?? 300);
/** Keep the services' logs (their folder is printed) instead of deleting them. */
export const FAULT_KEEP_LOGS = process.env.FAULT_KEEP_LOGS === '1';
