// Which Fargate profile EKS schedules a pod with: the public, pure answer (usable in unit tests
// of every jsii language). The rules are the EKS user guide's, Fargate profiles page.
import type { FargatePod, FargateProfileSelection } from './fargate-pod';
import { podMatchesSelector } from './selector-matching';
import { compareKeys } from './wire-contract';

/**
 * Which Fargate profile of a cluster EKS schedules a pod with.
 *
 * The rules (EKS user guide, "AWS Fargate profile"):
 * - A pod matches a selector when its namespace matches the selector's namespace and every
 *   label of the selector matches a label of the pod (the pod may carry more). Namespaces, label
 *   keys and label values may use `*` (zero or more characters) and `?` (exactly one character)
 *   in any position; every other character, `.` included, stands for itself.
 * - A pod matches a profile when it matches any of the profile's selectors.
 * - A pod labelled `eks.amazonaws.com/fargate-profile: <name>` is pinned to that profile: it runs
 *   with it if it matches one of its selectors, and not on Fargate otherwise (also when no
 *   profile has that name).
 * - Otherwise, of several matching profiles, "Fargate picks up the profile based on alphanumeric
 *   sorting by profile name": this takes the first name in ascending character-code order, the
 *   plain string comparison of most languages (profile names are ASCII: letters, digits, `-`
 *   and `_`). So `-` < digits < `A`-`Z` < `_` < `a`-`z`, and `profile-10` comes before
 *   `profile-9` (not a natural sort). The guide spells out neither case nor punctuation order,
 *   and older revisions of it said "at random": to be sure which profile runs a pod, pin it or
 *   make the selectors disjoint.
 *
 * @example
 * const profile = FargateScheduling.profileFor(
 *   { namespace: 'prod-api', labels: { tier: 'web' } },
 *   [
 *     { fargateProfileName: 'web', selectors: [{ namespace: 'prod-*', labels: { tier: 'web' } }] },
 *     { fargateProfileName: 'all-prod', selectors: [{ namespace: 'prod-*' }] },
 *   ],
 * ); // 'all-prod': both match, and 'all-prod' sorts first
 */
export class FargateScheduling {
  /** The pod label that pins a pod to the Fargate profile it names. */
  public static readonly PROFILE_LABEL = 'eks.amazonaws.com/fargate-profile';

  /**
   * The name of the profile EKS schedules this pod with, or undefined when no profile takes it.
   *
   * @param pod the pod to schedule
   * @param profiles the Fargate profiles of the pod's cluster
   */
  public static profileFor(pod: FargatePod, profiles: FargateProfileSelection[]): string | undefined {
    const matching = profiles
      .filter((profile) => profile.selectors.some((selector) => podMatchesSelector(pod, selector)))
      .map((profile) => profile.fargateProfileName);
    const pinned = pod.labels?.[FargateScheduling.PROFILE_LABEL];
    if (pinned !== undefined) {
      return matching.includes(pinned) ? pinned : undefined;
    }
    // Ascending character-code order (see the class doc for why): the contract's key order.
    return matching.sort(compareKeys)[0];
  }

  private constructor() {}
}
