// Which pods a Fargate profile selector takes, and whether two selectors can take the same pod.
// The rules are the EKS user guide's (Fargate profiles): a pod matches a selector when its
// namespace matches the selector's namespace and every label of the selector matches a label of
// the pod; namespaces, label keys and label values may use the wildcards `*` and `?`.
import type { FargatePod } from './fargate-pod';
import type { FargateProfileSelector } from './fargate-profile-props';
import { commonMatch, globMatches, isLiteral, NON_EMPTY } from './glob-patterns';

/** A label a selector requires: both patterns must match one label of the pod. */
type LabelRequirement = readonly [keyPattern: string, valuePattern: string];

/**
 * Whether the selector takes the pod. Labels of the pod that the selector does not mention
 * do not matter.
 */
export function podMatchesSelector(pod: FargatePod, selector: FargateProfileSelector): boolean {
  if (!globMatches(selector.namespace, pod.namespace)) return false;
  const podLabels = Object.entries(pod.labels ?? {});
  return requirementsOf(selector).every(([keyPattern, valuePattern]) =>
    podLabels.some(([key, value]) => globMatches(keyPattern, key) && globMatches(valuePattern, value)));
}

/**
 * A pod both selectors take, or `undefined` when no pod matches both. The pod is small: a
 * shortest namespace, and one label per required label unless an earlier one already serves.
 */
export function commonPod(a: FargateProfileSelector, b: FargateProfileSelector): FargatePod | undefined {
  const namespace = commonMatch([a.namespace, b.namespace, NON_EMPTY]);
  if (namespace === undefined) return undefined;
  const labels = labelsMeeting([...requirementsOf(a), ...requirementsOf(b)]);
  if (labels === undefined) return undefined;
  return { namespace, labels };
}

/**
 * Labels of one pod that meet every requirement, or `undefined` when no pod's labels can.
 *
 * A pod carries any number of labels, but each key only once. So:
 * - A requirement whose key pattern has a wildcard matches many keys (`?` alone dozens, `*`
 *   endlessly many), more than the at most 10 requirements of two selectors can use up. It can
 *   always be met by a label of its own, under a key no other requirement uses: it never
 *   conflicts, even with `*=a` and `*=b` together (two labels).
 * - A literal key names exactly one label of the pod, so all requirements with that same key
 *   must be met by that one label, and their value patterns need a value in common: `app=web`
 *   and `app=api` never meet, `app=web` and `app=w*` do.
 * The requirements can all hold exactly when every literal key's value patterns have a match in
 * common, and the labels built below are then the proof.
 */
function labelsMeeting(requirements: readonly LabelRequirement[]): { [key: string]: string } | undefined {
  const labels = new Map<string, string>(); // a Map: keys are user data (`__proto__` is a valid label key)
  const byLiteralKey = new Map<string, string[]>();
  for (const [keyPattern, valuePattern] of requirements) {
    if (!isLiteral(keyPattern)) continue;
    byLiteralKey.set(keyPattern, [...(byLiteralKey.get(keyPattern) ?? []), valuePattern]);
  }
  for (const [key, valuePatterns] of byLiteralKey) {
    const value = sampleValue(valuePatterns);
    if (value === undefined) return undefined;
    labels.set(key, value);
  }
  for (const [keyPattern, valuePattern] of requirements) {
    if (isLiteral(keyPattern)) continue;
    const met = [...labels].some(([key, value]) => globMatches(keyPattern, key) && globMatches(valuePattern, value));
    if (met) continue;
    labels.set(unusedKey(keyPattern, labels), sampleValue([valuePattern])!); // one pattern alone always has a match
  }
  return Object.fromEntries(labels);
}

/** A value matching every pattern; non-empty when possible, since `app=""` reads like a mistake. */
function sampleValue(valuePatterns: readonly string[]): string | undefined {
  return commonMatch([...valuePatterns, NON_EMPTY]) ?? commonMatch(valuePatterns);
}

/**
 * A key matching `keyPattern` (which has a wildcard) that `labels` does not use yet. Filling
 * every wildcard with the same letter gives a different key per letter, and there are more
 * letters than labels.
 */
function unusedKey(keyPattern: string, labels: ReadonlyMap<string, string>): string {
  for (const filler of 'xyzabcdefghijklmnopqrstuvw') {
    const key = [...keyPattern].map((c) => (c === '*' || c === '?' ? filler : c)).join('');
    if (!labels.has(key)) return key;
  }
  throw new Error(`no unused label key matches "${keyPattern}"`); // unreachable: at most 10 labels
}

function requirementsOf(selector: FargateProfileSelector): LabelRequirement[] {
  return Object.entries(selector.labels ?? {});
}
