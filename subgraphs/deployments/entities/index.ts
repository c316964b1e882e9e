import { DeploymentSchema } from './deployment';
import { DeploymentEventSchema } from './deployment-event';

export const entities = [DeploymentSchema, DeploymentEventSchema];
