export * from './fargate-profile-props';
export * from './fargate-profile';
export * from './fargate-pod';
export * from './fargate-scheduling';
export * from './fargate-profile-provider-props';
export { FargateProfileProvider } from './fargate-profile-provider';
