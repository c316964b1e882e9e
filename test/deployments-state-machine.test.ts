/** The deployment state machine on its own: exactly the transitions of BRIEF §4, nothing else. */
import { GraphQLError } from 'graphql';
import {
  DEPLOYMENT_STATUSES,
  type DeploymentStatus,
} from '../subgraphs/deployments/entities/deployment';
import { assertTransition, canTransition } from '../subgraphs/deployments/services/state-machine';

const ALLOWED = [
  'QUEUED→RUNNING',
  'QUEUED→CANCELLED',
  'RUNNING→SUCCEEDED',
  'RUNNING→FAILED',
  'RUNNING→CANCELLED',
];

const pairs = DEPLOYMENT_STATUSES.flatMap((from) =>
  DEPLOYMENT_STATUSES.map((to) => [from, to] as [DeploymentStatus, DeploymentStatus]),
);

it('allows exactly the requested transitions of the contract', () => {
  expect(
    pairs.filter(([from, to]) => canTransition(from, to)).map(([from, to]) => `${from}→${to}`),
  ).toEqual(ALLOWED);
});

it('makes a deployment ROLLED_BACK only from SUCCEEDED, and only by a rollback', () => {
  expect(
    pairs
      .filter(([from, to]) => canTransition(from, to, 'rollback'))
      .map(([from, to]) => `${from}→${to}`),
  ).toEqual(['SUCCEEDED→ROLLED_BACK']);
});

it('refuses anything else with CONFLICT naming both states', () => {
  let error: unknown;
  try {
    assertTransition('FAILED', 'RUNNING');
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(GraphQLError);
  expect((error as GraphQLError).message).toBe('A deployment cannot go from FAILED to RUNNING.');
  expect((error as GraphQLError).extensions).toEqual({
    code: 'CONFLICT',
    from: 'FAILED',
    to: 'RUNNING',
  });
  expect(() => assertTransition('SUCCEEDED', 'ROLLED_BACK')).toThrow(/only when a rollback/);
  expect(() => assertTransition('SUCCEEDED', 'ROLLED_BACK', 'rollback')).not.toThrow();
});
