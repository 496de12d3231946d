export * from './fargate-profile';
export * from './fargate-scheduling';
