// Entry point of the bundled handler: the Provider framework's onEvent and isComplete.
import { FARGATE_PROFILE_RESOURCE_TYPE } from '../src/wire-contract';

export async function onEvent(): Promise<{ PhysicalResourceId: string }> {
  throw new Error(`${FARGATE_PROFILE_RESOURCE_TYPE} handler is not implemented yet`);
}

export async function isComplete(): Promise<{ IsComplete: boolean }> {
  throw new Error(`${FARGATE_PROFILE_RESOURCE_TYPE} handler is not implemented yet`);
}
