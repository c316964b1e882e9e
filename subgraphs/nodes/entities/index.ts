import { NodeSchema } from './node';

export const entities = [NodeSchema];
