// IAM policy evaluation (test/support/eks-emulator/iam-policy.ts), as table tests: each row is a
// policy, a request and the decision IAM gives.
import { arnMatch, AuthorizationRequest, checkStatements, ContextValue, Decision, evaluatePolicies, PolicyStatement } from '../support/eks-emulator/iam-policy';

const CLUSTER = 'arn:aws:eks:us-east-1:123456789012:cluster/demo';
const PROFILE = 'arn:aws:eks:us-east-1:123456789012:fargateprofile/demo/web/0a1b2c3d-0000-4000-8000-000000000000';
const ROLE = 'arn:aws:iam::123456789012:role/pod-execution';
const SLR = 'arn:aws:iam::123456789012:role/aws-service-role/eks-fargate.amazonaws.com/AWSServiceRoleForAmazonEKSForFargate';

const allow = (Action: string | string[], Resource: string | string[], extra: Partial<PolicyStatement> = {}): PolicyStatement =>
  ({ Effect: 'Allow', Action, Resource, ...extra });
const deny = (Action: string | string[], Resource: string | string[], extra: Partial<PolicyStatement> = {}): PolicyStatement =>
  ({ Effect: 'Deny', Action, Resource, ...extra });
const req = (action: string, resource: string, context?: Record<string, ContextValue>): AuthorizationRequest => ({ action, resource, context });

describe('Allow, Deny and the implicit deny', () => {
  test.each<[string, PolicyStatement[], AuthorizationRequest, Decision]>([
    ['no statement at all', [], req('eks:DescribeCluster', CLUSTER), 'ImplicitDeny'],
    ['an Allow for the action and resource', [allow('eks:DescribeCluster', CLUSTER)], req('eks:DescribeCluster', CLUSTER), 'Allow'],
    ['an Allow for another action', [allow('eks:ListClusters', CLUSTER)], req('eks:DescribeCluster', CLUSTER), 'ImplicitDeny'],
    ['an Allow for another resource', [allow('eks:DescribeCluster', `${CLUSTER}-2`)], req('eks:DescribeCluster', CLUSTER), 'ImplicitDeny'],
    ['a Deny beats an Allow, whatever the order', [deny('eks:*', '*'), allow('eks:DescribeCluster', CLUSTER)], req('eks:DescribeCluster', CLUSTER), 'ExplicitDeny'],
    ['a Deny after the Allow', [allow('eks:DescribeCluster', CLUSTER), deny('eks:DescribeCluster', CLUSTER)], req('eks:DescribeCluster', CLUSTER), 'ExplicitDeny'],
    ['a Deny that does not apply leaves the Allow', [allow('eks:*', '*'), deny('eks:DeleteFargateProfile', '*')], req('eks:DescribeCluster', CLUSTER), 'Allow'],
    ['a Deny alone is still a deny', [deny('eks:DeleteFargateProfile', '*')], req('eks:DeleteFargateProfile', PROFILE), 'ExplicitDeny'],
  ])('%s', (_, statements, request, decision) => {
    expect(evaluatePolicies(statements, request)).toBe(decision);
  });
});

describe('Action and NotAction', () => {
  test.each<[string, string | string[], string, boolean]>([
    ['exact', 'eks:CreateFargateProfile', 'eks:CreateFargateProfile', true],
    ['action names are case-insensitive', 'EKS:createfargateprofile', 'eks:CreateFargateProfile', true],
    ['service wildcard', 'eks:*', 'eks:DeleteFargateProfile', true],
    ['another service', 'eks:*', 'ec2:DescribeSubnets', false],
    ['everything', '*', 'iam:PassRole', true],
    ['prefix wildcard', 'eks:Describe*', 'eks:DescribeFargateProfile', true],
    ['prefix wildcard, other verb', 'eks:Describe*', 'eks:DeleteFargateProfile', false],
    ['? is one character', 'ec2:Describe?ubnets', 'ec2:DescribeSubnets', true],
    ['? is exactly one character', 'ec2:Describe?Subnets', 'ec2:DescribeSubnets', false],
    ['a list: any entry', ['eks:TagResource', 'eks:UntagResource'], 'eks:UntagResource', true],
    ['a prefix is not a match', 'eks:Describe', 'eks:DescribeCluster', false],
    ['regex characters are literal', 'eks:Describe.*', 'eks:DescribeCluster', false],
  ])('%s', (_, action, requested, allowed) => {
    expect(evaluatePolicies([allow(action, '*')], req(requested, CLUSTER))).toBe(allowed ? 'Allow' : 'ImplicitDeny');
  });

  test('NotAction applies to every action except those listed', () => {
    const statements: PolicyStatement[] = [{ Effect: 'Allow', NotAction: ['iam:*', 'eks:Delete*'], Resource: '*' }];
    expect(evaluatePolicies(statements, req('eks:DescribeCluster', CLUSTER))).toBe('Allow');
    expect(evaluatePolicies(statements, req('eks:DeleteFargateProfile', PROFILE))).toBe('ImplicitDeny');
    expect(evaluatePolicies(statements, req('iam:PassRole', ROLE))).toBe('ImplicitDeny');
  });
});

describe('Resource ARNs', () => {
  test.each<[string, string, string, boolean]>([
    ['exact', CLUSTER, CLUSTER, true],
    ['* alone matches any ARN', '*', PROFILE, true],
    ['* in the resource part spans /', 'arn:aws:eks:us-east-1:123456789012:fargateprofile/demo/*', PROFILE, true],
    ['the profile pattern of another cluster', 'arn:aws:eks:us-east-1:123456789012:fargateprofile/other/*', PROFILE, false],
    ['the cluster ARN does not cover its profiles', CLUSTER, PROFILE, false],
    ['name and any uuid', 'arn:aws:eks:us-east-1:123456789012:fargateprofile/demo/web/*', PROFILE, true],
    ['wildcard region and account segments', 'arn:aws:eks:*:*:cluster/demo', CLUSTER, true],
    ['* in a segment does not span colons', 'arn:aws:eks:*:cluster/demo', CLUSTER, false],
    ['? matches one character of a segment', 'arn:aws:eks:us-east-?:123456789012:cluster/demo', CLUSTER, true],
    ['resource matching is case-sensitive', 'arn:aws:eks:us-east-1:123456789012:cluster/Demo', CLUSTER, false],
    ['another partition', 'arn:aws-cn:eks:us-east-1:123456789012:cluster/demo', CLUSTER, false],
    ['a path in an IAM role ARN', 'arn:aws:iam::123456789012:role/aws-service-role/*', SLR, true],
    ['an empty region segment must stay empty', 'arn:aws:iam:us-east-1:123456789012:role/*', ROLE, false],
    ['the request resource "*" (no resource-level permissions) needs "*"', 'arn:aws:ec2:*:*:subnet/*', '*', false],
    ['"*" for "*"', '*', '*', true],
    ['not an ARN', 'cluster/demo', CLUSTER, false],
  ])('%s', (_, pattern, resource, allowed) => {
    expect(evaluatePolicies([allow('eks:DescribeCluster', pattern)], req('eks:DescribeCluster', resource)))
      .toBe(allowed ? 'Allow' : 'ImplicitDeny');
  });

  test('a list of resources: any entry; NotResource: every resource except those', () => {
    expect(evaluatePolicies([allow('eks:*', [ROLE, CLUSTER])], req('eks:DescribeCluster', CLUSTER))).toBe('Allow');
    const notResource: PolicyStatement = { Effect: 'Allow', Action: 'eks:*', NotResource: 'arn:aws:eks:*:*:cluster/prod-*' };
    expect(evaluatePolicies([notResource], req('eks:DescribeCluster', CLUSTER))).toBe('Allow');
    expect(evaluatePolicies([notResource], req('eks:DescribeCluster', 'arn:aws:eks:us-east-1:123456789012:cluster/prod-1'))).toBe('ImplicitDeny');
  });
});

describe('Conditions', () => {
  const passRole = (condition: PolicyStatement['Condition']) => [allow('iam:PassRole', ROLE, { Condition: condition })];
  const toEks = { 'iam:PassedToService': 'eks.amazonaws.com' };

  test.each<[string, PolicyStatement['Condition'], Record<string, string> | undefined, boolean]>([
    ['StringEquals, same value', { StringEquals: { 'iam:PassedToService': 'eks.amazonaws.com' } }, toEks, true],
    ['StringEquals, other value', { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } }, toEks, false],
    ['StringEquals is case-sensitive in the value', { StringEquals: { 'iam:PassedToService': 'EKS.amazonaws.com' } }, toEks, false],
    ['condition key names are case-insensitive', { StringEquals: { 'IAM:passedtoservice': 'eks.amazonaws.com' } }, toEks, true],
    ['several values: any (OR)', { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'eks.amazonaws.com'] } }, toEks, true],
    ['StringLike with *', { StringLike: { 'iam:PassedToService': 'eks*.amazonaws.com' } }, toEks, true],
    ['StringLike with ?', { StringLike: { 'iam:PassedToService': 'e?s.amazonaws.com' } }, toEks, true],
    ['StringEquals takes * literally', { StringEquals: { 'iam:PassedToService': '*' } }, toEks, false],
    ['a key missing from the request does not match', { StringEquals: { 'iam:PassedToService': 'eks.amazonaws.com' } }, undefined, false],
    ['several keys: all (AND), one missing', {
      StringEquals: { 'iam:PassedToService': 'eks.amazonaws.com', 'iam:AWSServiceName': 'eks-fargate.amazonaws.com' },
    }, toEks, false],
    ['several keys: all (AND), all there', {
      StringEquals: { 'iam:PassedToService': 'eks.amazonaws.com', 'iam:AWSServiceName': 'eks-fargate.amazonaws.com' },
    }, { ...toEks, 'iam:AWSServiceName': 'eks-fargate.amazonaws.com' }, true],
    ['several operators: all (AND)', {
      StringEquals: { 'iam:PassedToService': 'eks.amazonaws.com' },
      StringLike: { 'iam:PassedToService': 'ec2*' },
    }, toEks, false],
  ])('%s', (_, condition, context, allowed) => {
    expect(evaluatePolicies(passRole(condition), req('iam:PassRole', ROLE, context))).toBe(allowed ? 'Allow' : 'ImplicitDeny');
  });

  test.each<[string, string, string, boolean]>([
    ['ArnLike with a profile wildcard', 'ArnLike', 'arn:aws:eks:us-east-1:123456789012:fargateprofile/demo/*', true],
    ['ArnEquals also takes wildcards (IAM treats both alike)', 'ArnEquals', 'arn:aws:eks:us-east-1:123456789012:fargateprofile/demo/*', true],
    ['ArnLike with another cluster', 'ArnLike', 'arn:aws:eks:us-east-1:123456789012:fargateprofile/other/*', false],
    ['ArnLike per segment', 'ArnLike', 'arn:aws:eks:*:123456789012:fargateprofile/*', true],
  ])('aws:SourceArn, %s', (_, operator, pattern, allowed) => {
    const statements = [allow('sts:AssumeRole', '*', { Condition: { [operator]: { 'aws:SourceArn': pattern } } })];
    expect(evaluatePolicies(statements, req('sts:AssumeRole', ROLE, { 'aws:SourceArn': PROFILE }))).toBe(allowed ? 'Allow' : 'ImplicitDeny');
  });

  test('a Deny whose condition does not hold does not apply', () => {
    const statements: PolicyStatement[] = [
      allow('iam:PassRole', '*'),
      deny('iam:PassRole', '*', { Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } }),
    ];
    expect(evaluatePolicies(statements, req('iam:PassRole', ROLE, toEks))).toBe('Allow');
    expect(evaluatePolicies(statements, req('iam:PassRole', ROLE, { 'iam:PassedToService': 'ec2.amazonaws.com' }))).toBe('ExplicitDeny');
  });

  test('the service-linked role statement our provider writes', () => {
    const statements = [allow('iam:CreateServiceLinkedRole', SLR, { Condition: { StringEquals: { 'iam:AWSServiceName': 'eks-fargate.amazonaws.com' } } })];
    expect(evaluatePolicies(statements, req('iam:CreateServiceLinkedRole', SLR, { 'iam:AWSServiceName': 'eks-fargate.amazonaws.com' }))).toBe('Allow');
    expect(evaluatePolicies(statements, req('iam:CreateServiceLinkedRole', SLR, { 'iam:AWSServiceName': 'eks.amazonaws.com' }))).toBe('ImplicitDeny');
    expect(evaluatePolicies(statements, req('iam:CreateServiceLinkedRole', SLR))).toBe('ImplicitDeny');
  });
});

// The tag condition keys of EKS's fargateprofile resource type and of CreateFargateProfile / TagResource /
// UntagResource (Service Authorization Reference for Amazon EKS), with the operators the handler policy uses.
describe('tag conditions: aws:ResourceTag, aws:RequestTag, aws:TagKeys', () => {
  const KEY = 'cdk-eks-fargate-profile:owner';
  const STACK = 'arn:aws:cloudformation:us-east-1:123456789012:stack/A/11111111-1111-4111-8111-111111111111';
  const OTHER_STACK = 'arn:aws:cloudformation:us-east-1:123456789012:stack/A/22222222-2222-4222-8222-222222222222';
  test.each<[string, PolicyStatement['Condition'], Record<string, ContextValue>, boolean]>([
    ['StringLike on a resource tag: the stack\'s prefix', { StringLike: { [`aws:ResourceTag/${KEY}`]: `${STACK}/*` } },
      { [`aws:ResourceTag/${KEY}`]: `${STACK}/Profile` }, true],
    ['StringLike on a resource tag: a stack of the same name, created again (other UUID)', { StringLike: { [`aws:ResourceTag/${KEY}`]: `${STACK}/*` } },
      { [`aws:ResourceTag/${KEY}`]: `${OTHER_STACK}/Profile` }, false],
    ['StringLike on a resource tag the resource does not have', { StringLike: { [`aws:ResourceTag/${KEY}`]: `${STACK}/*` } }, {}, false],
    ['the tag key in the condition key is case-insensitive', { StringLike: { [`aws:ResourceTag/${KEY.toUpperCase()}`]: `${STACK}/*` } },
      { [`aws:ResourceTag/${KEY}`]: `${STACK}/Profile` }, true],
    ['the tag value is case-sensitive', { StringEquals: { [`aws:RequestTag/${KEY}`]: `${STACK}/Profile` } },
      { [`aws:RequestTag/${KEY}`]: `${STACK}/profile` }, false],
    ['Null true: the key is absent', { Null: { [`aws:ResourceTag/${KEY}`]: 'true' } }, {}, true],
    ['Null true: the key is present', { Null: { [`aws:ResourceTag/${KEY}`]: 'true' } }, { [`aws:ResourceTag/${KEY}`]: 'x' }, false],
    ['Null false: the key is present', { Null: { [`aws:ResourceTag/${KEY}`]: 'false' } }, { [`aws:ResourceTag/${KEY}`]: 'x' }, true],
    ['Null false: the key is absent', { Null: { [`aws:ResourceTag/${KEY}`]: 'false' } }, {}, false],
    ['Null and StringLike together (AND): unmarked, request sets our marker',
      { Null: { [`aws:ResourceTag/${KEY}`]: 'true' }, StringLike: { [`aws:RequestTag/${KEY}`]: `${STACK}/*` } },
      { [`aws:RequestTag/${KEY}`]: `${STACK}/Profile`, 'aws:TagKeys': [KEY] }, true],
    ['Null and StringLike together (AND): already marked by another stack',
      { Null: { [`aws:ResourceTag/${KEY}`]: 'true' }, StringLike: { [`aws:RequestTag/${KEY}`]: `${STACK}/*` } },
      { [`aws:ResourceTag/${KEY}`]: `${OTHER_STACK}/P`, [`aws:RequestTag/${KEY}`]: `${STACK}/Profile`, 'aws:TagKeys': [KEY] }, false],
    ['ForAllValues:StringNotEquals: no requested key is the marker', { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': KEY } },
      { 'aws:TagKeys': ['team', 'env'] }, true],
    ['ForAllValues:StringNotEquals: one requested key is the marker', { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': KEY } },
      { 'aws:TagKeys': ['team', KEY] }, false],
    ['ForAllValues: true when the key is missing', { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': KEY } }, {}, true],
    ['ForAllValues: true when the list is empty', { 'ForAllValues:StringEquals': { 'aws:TagKeys': 'team' } }, { 'aws:TagKeys': [] }, true],
    ['ForAnyValue:StringEquals: one requested key matches', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': KEY } },
      { 'aws:TagKeys': ['team', KEY] }, true],
    ['ForAnyValue: false when the key is missing', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': KEY } }, {}, false],
    ['StringNotEquals on a missing single-valued key holds (a negated operator)', { StringNotEquals: { [`aws:RequestTag/${KEY}`]: 'x' } }, {}, true],
    ['StringNotEquals: equal to one of the values does not hold', { StringNotEquals: { [`aws:RequestTag/${KEY}`]: ['x', 'y'] } },
      { [`aws:RequestTag/${KEY}`]: 'y' }, false],
    ['a single-valued operator on a multivalued key does not match (our choice)', { StringEquals: { 'aws:TagKeys': KEY } },
      { 'aws:TagKeys': [KEY] }, false],
  ])('%s', (_, Condition, context, allowed) => {
    const statements = [allow('eks:DeleteFargateProfile', PROFILE, { Condition })];
    expect(evaluatePolicies(statements, req('eks:DeleteFargateProfile', PROFILE, context))).toBe(allowed ? 'Allow' : 'ImplicitDeny');
  });
});

describe('checkStatements: what is not modelled is refused, not ignored', () => {
  test.each<[string, unknown, string]>([
    ['an unknown operator', { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringNotLike: { 'a:b': 'c' } } }, 'operator StringNotLike is not modelled'],
    ['an unknown set qualifier', { Effect: 'Allow', Action: '*', Resource: '*', Condition: { 'ForEach:StringEquals': { 'a:b': 'c' } } }, 'operator ForEach:StringEquals is not modelled'],
    ['a set qualifier on Null', { Effect: 'Allow', Action: '*', Resource: '*', Condition: { 'ForAllValues:Null': { 'a:b': 'true' } } }, 'operator ForAllValues:Null is not modelled'],
    ['Null with another value', { Effect: 'Allow', Action: '*', Resource: '*', Condition: { Null: { 'a:b': 'yes' } } }, 'expected "true" or "false"'],
    ['a Principal', { Effect: 'Allow', Action: '*', Resource: '*', Principal: '*' }, 'Principal is not modelled in an identity policy'],
    ['no Effect', { Action: '*', Resource: '*' }, 'Effect must be Allow or Deny'],
    ['Action and NotAction', { Effect: 'Allow', Action: '*', NotAction: 'a:b', Resource: '*' }, 'exactly one of Action and NotAction'],
    ['no Resource', { Effect: 'Allow', Action: '*' }, 'exactly one of Resource and NotResource'],
    ['an unresolved intrinsic', { Effect: 'Allow', Action: '*', Resource: { 'Fn::GetAtt': ['R', 'Arn'] } }, 'expected a string or a list of strings (resolved)'],
  ])('%s', (_, statement, message) => {
    expect(() => checkStatements([statement], 'Policy.Statement')).toThrow(message);
  });

  test('a single statement object is a list of one; the statements come back as given', () => {
    const statement = allow('eks:*', '*');
    expect(checkStatements(statement, 'Policy.Statement')).toEqual([statement]);
  });
});

test('arnMatch is what Resource, ArnEquals and ArnLike share', () => {
  expect(arnMatch('arn:aws:iam::*:role/*', ROLE)).toBe(true);
  expect(arnMatch('arn:aws:iam::*:role/*', 'not-an-arn')).toBe(false);
});
