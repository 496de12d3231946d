// The emulator's public types: what tests configure it with and what they read back.
// Shapes follow the EKS API reference (FargateProfile, FargateProfileHealth, FargateProfileSelector).

/** FargateProfile.status in the EKS API reference. */
export type ProfileStatus = 'CREATING' | 'ACTIVE' | 'DELETING' | 'CREATE_FAILED' | 'DELETE_FAILED';

/** The operations the emulator serves (the ones the handler and the tests call). */
export type EksOperation =
  | 'CreateFargateProfile'
  | 'DescribeFargateProfile'
  | 'DeleteFargateProfile'
  | 'ListFargateProfiles'
  | 'TagResource'
  | 'UntagResource'
  | 'ListTagsForResource'
  | 'DescribeCluster';

/** One entry of a profile's `health.issues`. */
export interface HealthIssue {
  readonly code: string;
  readonly message: string;
  readonly resourceIds?: string[];
}

export interface ProfileSelector {
  readonly namespace: string;
  readonly labels?: Record<string, string>;
}

/** A profile as DescribeFargateProfile returns it (with `createdAt` as a Date). */
export interface EmulatedProfile {
  readonly fargateProfileName: string;
  readonly fargateProfileArn: string;
  readonly clusterName: string;
  readonly createdAt: Date;
  readonly podExecutionRoleArn: string;
  readonly subnets: string[];
  readonly selectors: ProfileSelector[];
  readonly status: ProfileStatus;
  readonly tags: Record<string, string>;
  readonly health: { readonly issues: HealthIssue[] };
}

/** When things happened to one incarnation of a profile (emulator clock, epoch ms). */
export interface ProfileTimeline {
  readonly cluster: string;
  readonly name: string;
  readonly arn: string;
  readonly createRequestedAt: number;
  /** Scheduled moment the profile became ACTIVE. */
  readonly activeAt?: number;
  readonly createFailedAt?: number;
  /** Last accepted DeleteFargateProfile. */
  readonly deleteRequestedAt?: number;
  readonly deleteFailedAt?: number;
  /** Scheduled moment the profile disappeared (or the out-of-band deletion time). */
  readonly goneAt?: number;
  readonly deletedOutOfBand?: boolean;
}

/** One HTTP call as the emulator saw it. */
export interface CallRecord {
  readonly operation: EksOperation | 'Unknown';
  readonly cluster?: string;
  readonly profile?: string;
  /** Emulator clock, epoch ms, when the request was handled. */
  readonly at: number;
  readonly httpStatus: number;
  /** 'OK' or the error type, e.g. 'ResourceInUseException'. */
  readonly outcome: string;
  readonly message?: string;
}

export interface CallFilter {
  readonly operation?: EksOperation;
  readonly cluster?: string;
  readonly profile?: string;
  readonly outcome?: string;
}

/** Mutable fault knobs, read on every request. */
export interface EmulatorFaults {
  /** Window after a role ARN is first seen during which creates fail with the trust-policy error. */
  iamPropagationMs: number;
  /** Probability (0..1) that any call is answered with ThrottlingException (HTTP 429). */
  throttleProbability: number;
  /** Probability (0..1) that any call is answered with ServerException (HTTP 500). */
  serverErrorProbability: number;
}

export interface ProfileDelays {
  readonly createDelayMs?: number;
  readonly deleteDelayMs?: number;
}

export interface ClusterOptions {
  /** Used when a create omits `subnets`. Default two fixed private subnet IDs. */
  readonly privateSubnets?: string[];
}

export interface EksEmulatorOptions {
  /** Default 300. */
  readonly createDelayMs?: number;
  /** Default 300. */
  readonly deleteDelayMs?: number;
  /** Seed of the PRNG behind probabilistic faults and profile UUIDs. Default 1. */
  readonly seed?: number;
  /** Default 'us-east-1'. */
  readonly region?: string;
  /** Default '123456789012'. */
  readonly accountId?: string;
  /** Epoch-ms clock. Default `Date.now`. */
  readonly clock?: () => number;
  /** Whether a CREATING profile blocks deletes in its cluster. Default true (our assumption, see operations.ts). */
  readonly deleteBlockedByCreating?: boolean;
  /** Service quota. Default 10. */
  readonly maxProfilesPerCluster?: number;
  /** How long after it is installed a caller policy takes effect, ms (IAM propagation). Default 0. */
  readonly policyPropagationMs?: number;
  /** Whether the account already has the Fargate service-linked role. Default false (the first profile creates it). */
  readonly fargateServiceLinkedRoleExists?: boolean;
}
