export * from './fargate-profile';
