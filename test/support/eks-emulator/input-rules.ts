// Input rules: a routed request becomes a valid, typed request, or the service's error.
// The cluster or profile a request names is looked up first, then its parameters are checked
// (moto, whose messages come from real responses, also looks the cluster up first:
// getmoto/moto moto/eks/models.py; the order among the parameter rules is our assumption).
// Messages are the service's where a source quotes it; elsewhere they are our own wording and say so.
//
// These limits are the emulator's own copy, not imported from src/: the emulator is the oracle
// the construct's and the handler's rules are tested against.
import { EksError } from './errors';
import type { RequestContext } from './http';
import { ClusterRecord, EmulatorState, parseProfileArn, ProfileRecord } from './state';
import type { ProfileSelector } from './types';

/** API reference, CreateFargateProfile: "You may specify up to five selectors"; quota L-D78D8AF8. */
const MAX_SELECTORS = 5;
/** Quota "Label pairs per Fargate profile selector", L-23414FF3. */
const MAX_LABELS = 5;
/** aws/aws-cdk#8706, #32909 quote the service: "...should not be greater than 100 characters." */
const MAX_NAME_LENGTH = 100;
/** Our assumption: the name rule the construct documents (src/wire-contract.ts); no service message known. */
const NAME_PATTERN = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
/** Our assumption: an IAM role ARN (the parameter's documented meaning). */
const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;
/**
 * Tag rules of AWS::EKS::FargateProfile Tag (CloudFormation template reference) and of the
 * TagResource API reference: at most 50, keys 1..128, values at most 256, no `aws:` prefix.
 */
export const MAX_TAGS = 50;

export interface CreateProfileInput {
  readonly name: string;
  readonly roleArn: string;
  readonly selectors: ProfileSelector[];
  readonly subnets: string[];
  readonly tags: Record<string, string>;
  readonly token?: string;
}

/** A request that passed the input rules, with the records it names. */
export type ValidRequest =
  | { readonly operation: 'CreateFargateProfile'; readonly cluster: ClusterRecord; readonly input: CreateProfileInput }
  | { readonly operation: 'DescribeFargateProfile'; readonly profile: ProfileRecord }
  | { readonly operation: 'DeleteFargateProfile'; readonly cluster: ClusterRecord; readonly profile: ProfileRecord }
  | { readonly operation: 'ListFargateProfiles'; readonly cluster: ClusterRecord; readonly maxResults: number; readonly after?: string }
  | { readonly operation: 'TagResource'; readonly profile: ProfileRecord; readonly tags: Record<string, string> }
  | { readonly operation: 'UntagResource'; readonly profile: ProfileRecord; readonly keys: string[] }
  | { readonly operation: 'ListTagsForResource'; readonly profile: ProfileRecord }
  | { readonly operation: 'DescribeCluster'; readonly cluster: ClusterRecord };

type Invalid = (message: string) => EksError;

export function checkInput(ctx: RequestContext, state: EmulatorState): ValidRequest {
  switch (ctx.operation) {
    case 'CreateFargateProfile': {
      const cluster = findCluster(state, ctx.cluster!);
      return { operation: ctx.operation, cluster, input: createInput(ctx.body, cluster, state) };
    }
    case 'DescribeFargateProfile':
      return { operation: ctx.operation, profile: findProfile(state, ctx.cluster!, ctx.profile!) };
    case 'DeleteFargateProfile': {
      const profile = findProfile(state, ctx.cluster!, ctx.profile!);
      return { operation: ctx.operation, cluster: state.clusters.get(profile.cluster)!, profile };
    }
    case 'ListFargateProfiles':
      return listInput(ctx, findCluster(state, ctx.cluster!));
    case 'TagResource': {
      const profile = findTaggable(state, ctx.resourceArn);
      const bad: Invalid = (message) => new EksError('BadRequestException', message);
      const tags = checkTagRules(stringMap(ctx.body.tags, 'tags', bad), bad);
      if (Object.keys(tags).length === 0) throw bad('tags must contain at least one tag.');
      return { operation: ctx.operation, profile, tags };
    }
    case 'UntagResource': {
      const profile = findTaggable(state, ctx.resourceArn);
      const keys = ctx.query.getAll('tagKeys');
      // API reference, UntagResource: tagKeys has at least one member.
      if (keys.length === 0) throw new EksError('BadRequestException', 'tagKeys must contain at least one key.');
      return { operation: ctx.operation, profile, keys };
    }
    case 'ListTagsForResource':
      return { operation: ctx.operation, profile: findTaggable(state, ctx.resourceArn) };
    case 'DescribeCluster':
      return { operation: ctx.operation, cluster: findCluster(state, ctx.cluster!) };
    default:
      // Our assumption: the error a REST service gives for a route it does not have.
      throw new EksError('UnknownOperationException', 'The emulator does not implement this operation.');
  }
}

/** The service's message (moto, from real responses: "No cluster found for name: <name>."). */
function findCluster(state: EmulatorState, name: string): ClusterRecord {
  const cluster = state.clusters.get(name);
  if (!cluster) {
    throw new EksError('ResourceNotFoundException', `No cluster found for name: ${name}.`, { clusterName: name });
  }
  return cluster;
}

/** The service's message (moto, from real responses; /work/shared/eks-facts.md). */
function findProfile(state: EmulatorState, clusterName: string, profileName: string): ProfileRecord {
  const profile = findCluster(state, clusterName).profiles.get(profileName);
  if (!profile) {
    throw new EksError('ResourceNotFoundException', `No Fargate Profile found with name: ${profileName}.`,
      { clusterName, fargateProfileName: profileName });
  }
  return profile;
}

/**
 * The profile a tag operation's ARN names. The tagging API has its own error types
 * (API reference, TagResource / UntagResource / ListTagsForResource: BadRequestException 400,
 * NotFoundException 404); the messages are our wording.
 */
function findTaggable(state: EmulatorState, arn = ''): ProfileRecord {
  const named = parseProfileArn(arn);
  if (!named) throw new EksError('BadRequestException', `'${arn}' is not a Fargate profile ARN.`);
  const profile = state.clusters.get(named.cluster)?.profiles.get(named.name);
  if (!profile || profile.arn !== arn) throw new EksError('NotFoundException', `Resource not found: ${arn}`);
  return profile;
}

function createInput(body: Record<string, unknown>, cluster: ClusterRecord, state: EmulatorState): CreateProfileInput {
  const name = optionalString(body.fargateProfileName, 'fargateProfileName');
  const fields = { clusterName: cluster.name, fargateProfileName: name };
  const invalid: Invalid = (message) => new EksError('InvalidParameterException', message, fields);

  if (!name) throw invalid('fargateProfileName is required.');
  // The service's message (aws/aws-cdk#8706, #32909).
  if (name.length > MAX_NAME_LENGTH) {
    throw invalid(`The Fargate profile name parameter should not be greater than ${MAX_NAME_LENGTH} characters.`);
  }
  if (!NAME_PATTERN.test(name)) {
    throw invalid(`Fargate Profile name '${name}' must start with a letter or digit and contain only letters, digits, '-' and '_'.`);
  }
  // The service's message (pulumi/pulumi-eks#426).
  if (name.startsWith('eks-')) throw invalid("The fargate profile name starts with the reserved prefix: 'eks-'.");

  const roleArn = optionalString(body.podExecutionRoleArn, 'podExecutionRoleArn');
  if (!roleArn) throw invalid('podExecutionRoleArn is required.');
  if (!ROLE_ARN_PATTERN.test(roleArn)) throw invalid(`podExecutionRoleArn '${roleArn}' is not an IAM role ARN.`);

  const selectors = parseSelectors(body.selectors, invalid);
  const subnets = resolveSubnets(body.subnets, cluster, state.publicSubnets, invalid);
  const tags = checkTagRules(stringMap(body.tags, 'tags', invalid), invalid);
  const token = optionalString(body.clientRequestToken, 'clientRequestToken');
  return { name, roleArn, selectors, subnets, tags, token };
}

function listInput(ctx: RequestContext, cluster: ClusterRecord): ValidRequest {
  const invalid: Invalid = (message) => new EksError('InvalidParameterException', message, { clusterName: cluster.name });
  // API reference, ListFargateProfiles: maxResults "can be between 1 and 100", default 100.
  const maxText = ctx.query.get('maxResults');
  const maxResults = maxText === null ? 100 : Number(maxText);
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
    throw invalid(`maxResults must be an integer between 1 and 100; got '${maxText}'.`);
  }
  const token = ctx.query.get('nextToken');
  if (token === null) return { operation: 'ListFargateProfiles', cluster, maxResults };
  const after = decodeNextToken(token);
  if (after === undefined) throw invalid('The nextToken is invalid.'); // our wording
  return { operation: 'ListFargateProfiles', cluster, maxResults, after };
}

/** Our paging token (opaque to callers, as the API reference says): the last name of the page. */
export function encodeNextToken(lastName: string): string {
  return Buffer.from(JSON.stringify({ after: lastName })).toString('base64');
}

function decodeNextToken(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    return typeof parsed?.after === 'string' ? parsed.after : undefined;
  } catch {
    return undefined;
  }
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new EksError('InvalidParameterException', `${field} must be a string.`);
  return value;
}

/**
 * API reference, CreateFargateProfile: up to five selectors, each with a namespace; labels are
 * optional. The messages are our wording (none of the service's is known for these rules).
 */
function parseSelectors(value: unknown, invalid: Invalid): ProfileSelector[] {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    throw invalid('Fargate Profile must have at least one selector.');
  }
  if (!Array.isArray(value)) throw invalid('selectors must be a list.');
  if (value.length > MAX_SELECTORS) {
    throw invalid(`Fargate Profile can have at most ${MAX_SELECTORS} selectors; got ${value.length}.`);
  }
  return value.map((raw, i) => {
    const selector = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const namespace = selector.namespace;
    if (typeof namespace !== 'string' || namespace === '') {
      throw invalid(`Fargate Profile selector ${i + 1} must have a namespace.`);
    }
    if (selector.labels === undefined || selector.labels === null) return { namespace };
    const labels = stringMap(selector.labels, `selectors[${i}].labels`, invalid);
    const count = Object.keys(labels).length;
    if (count > MAX_LABELS) {
      throw invalid(`Fargate Profile selector ${i + 1} can have at most ${MAX_LABELS} labels; got ${count}.`);
    }
    return count === 0 ? { namespace } : { namespace, labels };
  });
}

/**
 * API reference, CreateFargateProfile `subnets`: "only private subnets ... are accepted"; the
 * message is the service's (awslabs/eks-perf-tests#195). Omitted subnets default to the
 * cluster's private subnets (our assumption).
 */
function resolveSubnets(value: unknown, cluster: ClusterRecord, publicSubnets: ReadonlySet<string>, invalid: Invalid): string[] {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    return [...cluster.privateSubnets];
  }
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) {
    throw invalid('subnets must be a list of subnet IDs.');
  }
  const publicSubnet = (value as string[]).find((subnet) => publicSubnets.has(subnet));
  if (publicSubnet !== undefined) {
    throw invalid(`Subnet ${publicSubnet} provided in Fargate Profile is not a private subnet`);
  }
  return [...(value as string[])];
}

/** A map of strings (tags or labels). */
function stringMap(value: unknown, field: string, invalid: Invalid): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`${field} must be a map of strings.`);
  const result: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') throw invalid(`${field}['${key}'] must be a string.`);
    result[key] = v;
  }
  return result;
}

/** The tag rules (see MAX_TAGS); the messages are our wording. */
function checkTagRules(tags: Record<string, string>, invalid: Invalid): Record<string, string> {
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) throw invalid(`At most ${MAX_TAGS} tags are allowed; got ${keys.length}.`);
  const reserved = keys.find((k) => k.toLowerCase().startsWith('aws:'));
  if (reserved) throw invalid(`Tag keys starting with 'aws:' are reserved: '${reserved}'.`);
  const badKey = keys.find((k) => k.length === 0 || k.length > 128);
  if (badKey !== undefined) throw invalid(`Tag keys must be 1 to 128 characters: '${badKey}'.`);
  const longValue = keys.find((k) => tags[k].length > 256);
  if (longValue !== undefined) throw invalid(`Tag values must be at most 256 characters (key '${longValue}').`);
  return tags;
}
