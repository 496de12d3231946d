// What pod scheduling looks at: a pod and a profile's selectors. Shared by FargateScheduling and
// the selector matching it is built on, neither of which imports the other's module for them.
import type { FargateProfileSelector } from './fargate-profile-props';

/**
 * A pod, as far as Fargate profile selection looks at it.
 */
export interface FargatePod {
  /** The pod's namespace. */
  readonly namespace: string;

  /**
   * The pod's labels. The label `eks.amazonaws.com/fargate-profile` pins a profile
   * (see `FargateScheduling.PROFILE_LABEL`).
   *
   * @default - no labels
   */
  readonly labels?: { [key: string]: string };
}

/**
 * A Fargate profile of a cluster, as far as pod scheduling looks at it.
 */
export interface FargateProfileSelection {
  /** The name of the profile in EKS. */
  readonly fargateProfileName: string;

  /** The profile's selectors: a pod that matches any of them may run with this profile. */
  readonly selectors: FargateProfileSelector[];
}
