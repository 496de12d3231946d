// Synth-time checks of FargateProfile props. Every rule mirrors a limit that
// EKS (or Kubernetes) enforces at deploy time, so that a bad value fails
// `cdk synth` with a clear message instead of a failed stack an hour later.
// Values that are still tokens are skipped: they are only known at deploy time.
import { Token } from 'aws-cdk-lib';
import type { FargateProfileProps, FargateProfileSelector } from './fargate-profile-props';
import {
  hasReservedProfileNamePrefix, MAX_PROFILE_NAME_LENGTH, MAX_SELECTORS, MAX_TAG_VALUE_LENGTH, OWNER_TAG_KEY, PROFILE_NAME_PATTERN, selectorKey,
} from './wire-contract';

/** EKS: at most five labels per selector. */
export const MAX_LABELS_PER_SELECTOR = 5;
/** EKS resource tag limits. */
export const MAX_TAGS = 50;
export const MAX_TAG_KEY_LENGTH = 128;

// `*` and `?` are the wildcards EKS accepts in namespaces, label keys and label values.
const NAMESPACE = /^[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?$/;
const LABEL_NAME = /^[A-Za-z0-9*?]([-A-Za-z0-9_.*?]*[A-Za-z0-9*?])?$/;
const DNS_LABEL = '[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?';
const DNS_SUBDOMAIN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);

/**
 * Checks everything known at construction time. Throws an Error naming the
 * construct path, the field and the rule for the first violation.
 */
export function validateFargateProfileProps(path: string, props: FargateProfileProps | undefined): void {
  // Props come from JavaScript callers too: check what the types promise.
  if (props === undefined || props === null) {
    fail(path, 'props are required (cluster and selectors)');
  }
  if (props.cluster === undefined || props.cluster === null) {
    fail(path, 'cluster is required');
  }
  validateSelectors(path, props.selectors);
  if (props.fargateProfileName !== undefined) {
    validateProfileName(path, props.fargateProfileName);
  }
  if (props.tags !== undefined && Token.isUnresolved(props.tags)) {
    fail(path, 'tags must be a map written in the app, not a token: each tag is rendered as a { Key, Value } pair');
  }
  if (props.tags !== undefined) {
    const message = tagProblems(Object.entries(props.tags), 'tags')[0];
    if (message) fail(path, message);
  }
}

/** Throws the error of a violation, prefixed with the construct path. */
export function fail(path: string, message: string): never {
  throw new Error(`${path}: ${message}`);
}

/**
 * The problems of a rendered tag list (props tags plus `Tags.of()` tags), as
 * messages without the path (CDK's validation report prefixes it).
 */
export function tagProblems(tags: Array<[string, string]>, field: string = 'tags'): string[] {
  const problems: string[] = [];
  if (tags.length > MAX_TAGS) {
    problems.push(`${field} has ${tags.length} tags; EKS allows at most ${MAX_TAGS} per resource`);
  }
  for (const [key, value] of tags) {
    if (Token.isUnresolved(key)) continue;
    if (key.length < 1 || key.length > MAX_TAG_KEY_LENGTH) {
      problems.push(`${field} key "${key}" must be 1 to ${MAX_TAG_KEY_LENGTH} characters long (got ${key.length})`);
    } else if (key.toLowerCase().startsWith('aws:')) {
      problems.push(`${field} key "${key}" must not start with "aws:" (reserved for AWS)`);
    } else if (key === OWNER_TAG_KEY) {
      problems.push(`${field} key "${key}" is reserved: the handler sets it on create to record which resource owns the profile, `
        + 'and only a profile that carries its own resource\'s marker is ever adopted or deleted (see README "Ownership"). Use another key');
    }
    if (value === undefined || value === null) {
      problems.push(`${field}["${key}"] must have a string value`);
    } else if (!Token.isUnresolved(value) && value.length > MAX_TAG_VALUE_LENGTH) {
      problems.push(`${field}["${key}"] value must be at most ${MAX_TAG_VALUE_LENGTH} characters long (got ${value.length})`);
    }
  }
  return problems;
}

function validateSelectors(path: string, list: FargateProfileSelector[] | undefined): void {
  if (list === undefined || list === null) {
    fail(path, 'selectors is required: give 1 to 5 selectors');
  }
  if (Token.isUnresolved(list)) {
    fail(path, 'selectors must be a list written in the app, not a token: each selector is rendered into the template');
  }
  if (!Array.isArray(list)) {
    fail(path, 'selectors must be a list of { namespace, labels? }');
  }
  if (list.length < 1 || list.length > MAX_SELECTORS) {
    fail(path, `selectors must have 1 to ${MAX_SELECTORS} entries (got ${list.length}); EKS allows at most ${MAX_SELECTORS} selectors per profile`);
  }
  const seen = new Map<string, number>();
  list.forEach((selector, i) => {
    const field = `selectors[${i}]`;
    if (selector === undefined || selector === null || typeof selector !== 'object') {
      fail(path, `${field} must be an object { namespace, labels? }`);
    }
    validateNamespace(path, selector.namespace, `${field}.namespace`);
    validateLabels(path, selector.labels, `${field}.labels`);

    const key = selectorKey(selector);
    const first = seen.get(key);
    if (first !== undefined) {
      fail(path, `${field} repeats selectors[${first}] (same namespace and labels); each selector in a profile must be unique`);
    }
    seen.set(key, i);
  });
}

function validateNamespace(path: string, ns: string | undefined, field: string): void {
  if (ns === undefined || ns === null || ns === '') {
    fail(path, `${field} is required and must not be empty`);
  }
  if (Token.isUnresolved(ns)) return;
  if (typeof ns !== 'string') {
    fail(path, `${field} must be a string`);
  }
  if (ns.length > 63 || !NAMESPACE.test(ns)) {
    fail(path, `${field} "${ns}" is not a valid Kubernetes namespace: use at most 63 lowercase letters, digits and '-', `
      + "starting and ending with a letter or digit (RFC 1123 label); the wildcards '*' and '?' are allowed");
  }
}

function validateLabels(path: string, labels: { [key: string]: string } | undefined, field: string): void {
  if (labels === undefined || labels === null) return;
  if (Token.isUnresolved(labels)) {
    fail(path, `${field} must be a map written in the app, not a token: each label is rendered as a { Key, Value } pair`);
  }
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    fail(path, `${field} must be a map of label keys to values`);
  }
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS_PER_SELECTOR) {
    fail(path, `${field} has ${entries.length} labels; EKS allows at most ${MAX_LABELS_PER_SELECTOR} per selector`);
  }
  for (const [key, value] of entries) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) {
      fail(path, `${field} key "${key}" is not a valid Kubernetes label key: ${keyProblem}`);
    }
    if (value === undefined || value === null || typeof value !== 'string') {
      fail(path, `${field}["${key}"] must have a string value`);
    }
    if (Token.isUnresolved(value)) continue;
    if (value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
      fail(path, `${field}["${key}"] value "${value}" is not a valid Kubernetes label value: use an empty string or at most 63 `
        + "letters, digits, '-', '_' and '.', starting and ending with a letter or digit; the wildcards '*' and '?' are allowed");
    }
  }
}

/** Kubernetes label key: `[prefix/]name`, prefix a DNS subdomain (<= 253), name <= 63. */
function labelKeyProblem(key: string): string | undefined {
  if (Token.isUnresolved(key)) return undefined;
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return 'the prefix before "/" must be a lowercase DNS subdomain of at most 253 characters';
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return "the name must be 1 to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit "
      + "(wildcards '*' and '?' allowed)";
  }
  return undefined;
}

function validateProfileName(path: string, name: string): void {
  if (Token.isUnresolved(name)) return;
  if (typeof name !== 'string') {
    fail(path, 'fargateProfileName must be a string');
  }
  if (name.length < 1 || name.length > MAX_PROFILE_NAME_LENGTH) {
    fail(path, `fargateProfileName "${name}" must be 1 to ${MAX_PROFILE_NAME_LENGTH} characters long (got ${name.length})`);
  }
  // The length is checked above, so the pattern fails only on the characters.
  if (!PROFILE_NAME_PATTERN.test(name)) {
    fail(path, `fargateProfileName "${name}" must start with a letter or digit and contain only letters, digits, '-' and '_'`);
  }
  if (hasReservedProfileNamePrefix(name)) {
    fail(path, `fargateProfileName "${name}" must not start with "eks-" (reserved by Amazon EKS)`);
  }
}
