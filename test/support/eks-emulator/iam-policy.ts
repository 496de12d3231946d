// IAM identity-policy evaluation, for what our templates use, the way the IAM User Guide's "Policy
// evaluation logic" describes it for one principal's identity-based policies:
// - an explicit Deny in any applicable statement wins; else an Allow is needed; else implicit deny
//   ("The difference between explicit and implicit denies");
// - Action / NotAction: "service:Name" patterns with `*` and `?`, case-insensitive
//   ("IAM JSON policy elements: Action": action names are not case-sensitive);
// - Resource / NotResource: ARNs matched per colon-separated segment, each with `*` and `?`
//   ("IAM JSON policy elements: Resource"); `*` alone matches anything, and in the last segment a
//   `*` also spans `/` and `:`. A request for an action without resource-level permissions names the
//   resource "*", which only `*` matches (the Service Authorization Reference's empty resource column);
// - Condition: StringEquals, StringNotEquals, StringLike (case-sensitive values, `*` and `?` in
//   StringLike), ArnEquals and ArnLike (identical: per-segment matching with wildcards) ("IAM JSON
//   policy elements: Condition operators"); several values of one key match if any does (OR), and a
//   negated operator matches when the value equals none of them; several keys and several operators
//   must all match (AND); condition key names are case-insensitive. A key missing from the request
//   context does not match, except under a negated operator, which then matches (same page: "If the key
//   ... is not present ... the condition is true" for the Not operators). "...IfExists" is not modelled.
// - Null: "true" holds when the key is absent from the request context, "false" when it is present
//   (same page, "Condition operator to check existence of condition keys").
// - Multivalued keys (aws:TagKeys) take the set operators ("Set operators for multivalued context
//   keys"): ForAllValues:<op> holds when every value in the request matches (and also when the key is
//   missing or empty: "The ForAllValues set operator also returns true if there are no context keys in
//   the request", IAM User Guide, "Multivalued context key examples"); ForAnyValue:<op> when at least
//   one does (false when the key is missing). A single-valued operator on a multivalued key, or a set
//   operator on a single-valued one, is our choice: the first does not match, the second treats the
//   value as a set of one.
// Anything else (another operator, a Principal in an identity policy, a missing Effect) is refused
// when the policy is installed, so an unmodelled policy never passes silently.

export type Effect = 'Allow' | 'Deny';

/** One statement of an identity policy, every value already a plain string. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: Effect;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  /** operator -> condition key -> value(s). */
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** What IAM is asked: may the caller perform `action` on `resource`, in this request context? */
export interface AuthorizationRequest {
  /** e.g. 'eks:CreateFargateProfile'. */
  readonly action: string;
  /** An ARN, or '*' for actions without resource-level permissions. */
  readonly resource: string;
  /**
   * Condition keys the request carries, e.g. { 'iam:PassedToService': 'eks.amazonaws.com' }; a list
   * for a multivalued key (aws:TagKeys).
   */
  readonly context?: Readonly<Record<string, ContextValue>>;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** A request context value: one string, or a list for a multivalued key. */
export type ContextValue = string | readonly string[];

/** The value-matching operators; a Not operator matches when its positive form matches none of the values. */
const OPERATORS: Record<string, { readonly match: (pattern: string, value: string) => boolean; readonly negated: boolean }> = {
  StringEquals: { match: (pattern, value) => pattern === value, negated: false },
  StringNotEquals: { match: (pattern, value) => pattern === value, negated: true },
  StringLike: { match: (pattern, value) => globMatch(pattern, value, false), negated: false },
  ArnEquals: { match: (pattern, value) => arnMatch(pattern, value), negated: false },
  ArnLike: { match: (pattern, value) => arnMatch(pattern, value), negated: false },
};
const SET_QUALIFIERS = ['ForAllValues', 'ForAnyValue'] as const;
type SetQualifier = typeof SET_QUALIFIERS[number];

/** `ForAllValues:StringNotEquals` -> its qualifier and operator; undefined when not modelled. */
function parseOperator(name: string): { readonly qualifier?: SetQualifier; readonly operator: string } | undefined {
  const colon = name.indexOf(':');
  const qualifier = colon >= 0 ? name.slice(0, colon) : undefined;
  const operator = colon >= 0 ? name.slice(colon + 1) : name;
  if (qualifier !== undefined && !(SET_QUALIFIERS as readonly string[]).includes(qualifier)) return undefined;
  if (operator === 'Null') return qualifier === undefined ? { operator } : undefined;
  return OPERATORS[operator] ? { qualifier: qualifier as SetQualifier | undefined, operator } : undefined;
}

/** The decision of IAM for `request` under `statements` (all of one principal's identity policies). */
export function evaluatePolicies(statements: readonly PolicyStatement[], request: AuthorizationRequest): Decision {
  let allowed = false;
  for (const statement of statements) {
    if (!applies(statement, request)) continue;
    if (statement.Effect === 'Deny') return 'ExplicitDeny';
    allowed = true;
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

/**
 * The statements of a resolved policy document's `Statement` (an object or a list), checked to be
 * something this module evaluates; throws naming the statement and the problem otherwise.
 */
export function checkStatements(statement: unknown, where: string): PolicyStatement[] {
  const all: unknown[] = Array.isArray(statement) ? statement : [statement];
  return all.map((raw, i) => checkStatement(raw, `${where}[${i}]`));
}

/** `*` matches any run of characters (also none), `?` exactly one; nothing else is special. */
export function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/**
 * ARN matching of Resource, ArnEquals and ArnLike: `*` matches anything; otherwise both are split
 * into arn:partition:service:region:account:resource and each segment is matched on its own, the
 * resource segment being everything after the fifth colon. A value that is not an ARN matches only `*`.
 */
export function arnMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const want = arnSegments(pattern);
  const have = arnSegments(value);
  if (!want || !have) return false;
  return want.every((segment, i) => globMatch(segment, have[i], false));
}

function arnSegments(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

function applies(statement: PolicyStatement, request: AuthorizationRequest): boolean {
  const actionMatches = (patterns: string | readonly string[]) =>
    list(patterns).some((p) => globMatch(p, request.action, true));
  const resourceMatches = (patterns: string | readonly string[]) =>
    list(patterns).some((p) => arnMatch(p, request.resource));
  if (statement.Action !== undefined ? !actionMatches(statement.Action) : actionMatches(statement.NotAction!)) return false;
  if (statement.Resource !== undefined ? !resourceMatches(statement.Resource) : resourceMatches(statement.NotResource!)) return false;
  return conditionsHold(statement.Condition ?? {}, request.context ?? {});
}

function conditionsHold(
  condition: NonNullable<PolicyStatement['Condition']>, context: Readonly<Record<string, ContextValue>>,
): boolean {
  const byLowerKey = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.entries(condition).every(([name, keys]) => {
    const { qualifier, operator } = parseOperator(name)!;
    return Object.entries(keys).every(([key, patterns]) =>
      conditionHolds(qualifier, operator, list(patterns), byLowerKey.get(key.toLowerCase())));
  });
}

/** One key of one operator (see the header for the rules and their sources). */
function conditionHolds(
  qualifier: SetQualifier | undefined, operator: string, patterns: readonly string[], value: ContextValue | undefined,
): boolean {
  if (operator === 'Null') {
    const absent = value === undefined || (Array.isArray(value) && value.length === 0);
    return patterns.some((p) => (p === 'true') === absent);
  }
  const { match, negated } = OPERATORS[operator];
  const matchesOne = (v: string) => (negated ? !patterns.some((p) => match(p, v)) : patterns.some((p) => match(p, v)));
  if (qualifier !== undefined) {
    const values = value === undefined ? [] : list(value);
    return qualifier === 'ForAllValues' ? values.every(matchesOne) : values.some(matchesOne);
  }
  if (value === undefined) return negated;
  if (typeof value !== 'string') return false;
  return matchesOne(value);
}

function checkStatement(raw: unknown, where: string): PolicyStatement {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${where}: a statement must be an object`);
  const s = raw as Record<string, unknown>;
  const known = ['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'];
  const unknown = Object.keys(s).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`${where}: ${unknown.join(', ')} is not modelled in an identity policy`);
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new Error(`${where}: Effect must be Allow or Deny, got ${JSON.stringify(s.Effect)}`);
  exactlyOne(s, 'Action', 'NotAction', where);
  exactlyOne(s, 'Resource', 'NotResource', where);
  for (const field of ['Action', 'NotAction', 'Resource', 'NotResource']) {
    if (s[field] !== undefined) strings(s[field], `${where}.${field}`);
  }
  if (s.Condition !== undefined) {
    if (typeof s.Condition !== 'object' || s.Condition === null) throw new Error(`${where}.Condition must be an object`);
    for (const [operator, keys] of Object.entries(s.Condition as Record<string, unknown>)) {
      if (!parseOperator(operator)) {
        throw new Error(`${where}.Condition: operator ${operator} is not modelled (${Object.keys(OPERATORS).join(', ')} and Null are, ` +
          `the first ones also after ${SET_QUALIFIERS.map((q) => `${q}:`).join(' or ')})`);
      }
      if (typeof keys !== 'object' || keys === null) throw new Error(`${where}.Condition.${operator} must be an object`);
      for (const [key, values] of Object.entries(keys as Record<string, unknown>)) {
        strings(values, `${where}.Condition.${operator}.${key}`);
        if (operator === 'Null' && list(values as string | string[]).some((v) => v !== 'true' && v !== 'false')) {
          throw new Error(`${where}.Condition.Null.${key}: expected "true" or "false", got ${JSON.stringify(values)}`);
        }
      }
    }
  }
  return s as unknown as PolicyStatement;
}

function exactlyOne(s: Record<string, unknown>, a: string, b: string, where: string): void {
  if ((s[a] === undefined) === (s[b] === undefined)) throw new Error(`${where}: exactly one of ${a} and ${b} is required`);
}

function strings(value: unknown, where: string): void {
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0 || values.some((v) => typeof v !== 'string')) {
    throw new Error(`${where}: expected a string or a list of strings (resolved), got ${JSON.stringify(value)}`);
  }
}

function list(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}
