// CloudFormation template model for the lifecycle runner: intrinsic-function
// resolution, dependency extraction, and the fake physical ids / attributes that
// stand in for resources the runner does not really deploy (roles, functions, VPC
// bits). Only what a synthesized CDK stack uses is supported; anything else fails
// with an error naming the function and where it was found.

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Outputs?: Record<string, unknown>;
  readonly Rules?: Record<string, unknown>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: unknown;
}

/** What resolution needs to know about the stack and the resources created so far. */
export interface ResolveContext {
  readonly accountId: string;
  readonly region: string;
  readonly stackName: string;
  readonly stackId: string;
  readonly template: CfnTemplate;
  /** Physical id (`Ref`) of a resource, or undefined while it does not exist. */
  physicalId(logicalId: string): string | undefined;
  /** `Fn::GetAtt` value, or undefined when the resource does not have it (yet). */
  attribute(logicalId: string, attribute: string): string | undefined;
}

/** Thrown when the template uses something CloudFormation would reject (or we do not model). */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId', 'AWS::Region', 'AWS::Partition', 'AWS::StackName', 'AWS::StackId',
  'AWS::URLSuffix', 'AWS::NoValue', 'AWS::NotificationARNs',
]);

/** Marker for `Ref: AWS::NoValue`: the enclosing property / list element is removed. */
const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Resolves every intrinsic function in `value` to plain JSON, like CloudFormation does
 * before it hands properties to a resource. `where` names the location for errors.
 */
export function resolveValue(value: unknown, ctx: ResolveContext, where: string): unknown {
  const resolved = resolveInner(value, ctx, where);
  return resolved === NO_VALUE ? undefined : resolved;
}

/**
 * Resolves a custom resource's properties and, like CloudFormation, turns every scalar into
 * a string (custom resources only ever receive strings).
 */
export function resolveCustomResourceProperties(
  properties: Record<string, unknown> | undefined, ctx: ResolveContext, logicalId: string,
): Record<string, unknown> {
  return stringifyScalars(resolveValue(properties ?? {}, ctx, `${logicalId}.Properties`)) as Record<string, unknown>;
}

/** Logical ids a resource depends on: DependsOn plus every Ref / GetAtt / Sub reference. */
export function resourceDependencies(template: CfnTemplate, logicalId: string): string[] {
  const resource = template.Resources[logicalId];
  const deps = new Set<string>();
  const dependsOn = resource.DependsOn === undefined ? [] : ([] as string[]).concat(resource.DependsOn);
  for (const dep of dependsOn) {
    if (!template.Resources[dep]) {
      throw new TemplateError(`${logicalId}.DependsOn: resource "${dep}" does not exist in the template`);
    }
    deps.add(dep);
  }
  collectReferences(resource.Properties, template, deps, `${logicalId}.Properties`);
  deps.delete(logicalId);
  return [...deps];
}

/** Whether the resource's `Condition` (if any) holds; resources whose condition is false are not created. */
export function resourceIsIncluded(ctx: ResolveContext, logicalId: string): boolean {
  const condition = ctx.template.Resources[logicalId].Condition;
  return condition === undefined ? true : evaluateCondition(condition, ctx, `${logicalId}.Condition`);
}

// ---------------------------------------------------------------------------------------
// Fake physical ids and attributes for resources the runner only pretends to create.

/** Stable fake physical id (`Ref`) of a non-custom resource, shaped like the real thing. */
export function fakePhysicalId(logicalId: string, type: string, ctx: Pick<ResolveContext, 'accountId' | 'region'>): string {
  const lower = logicalId.toLowerCase();
  const ec2Prefixes: Record<string, string> = {
    'AWS::EC2::VPC': 'vpc',
    'AWS::EC2::Subnet': 'subnet',
    'AWS::EC2::SecurityGroup': 'sg',
    'AWS::EC2::RouteTable': 'rtb',
    'AWS::EC2::InternetGateway': 'igw',
    'AWS::EC2::NatGateway': 'nat',
    'AWS::EC2::EIP': 'eipalloc',
    'AWS::EC2::Route': 'r',
    'AWS::EC2::VPCGatewayAttachment': 'igw-attach',
    'AWS::EC2::SubnetRouteTableAssociation': 'rtbassoc',
  };
  if (ec2Prefixes[type]) return `${ec2Prefixes[type]}-${lower}`;
  // Resources whose Ref is an ARN.
  if (type === 'AWS::StepFunctions::StateMachine' || type === 'AWS::SNS::Topic' || type === 'AWS::IAM::ManagedPolicy') {
    return fakeArn(logicalId, type, ctx);
  }
  return logicalId;
}

/** Stable fake `Fn::GetAtt` value of a non-custom resource. */
export function fakeAttribute(
  logicalId: string, type: string, attribute: string, ctx: Pick<ResolveContext, 'accountId' | 'region'>,
): string {
  if (attribute === 'Arn' || attribute.endsWith('.Arn') || attribute.endsWith('Arn')) {
    return fakeArn(logicalId, type, ctx);
  }
  return `${logicalId}.${attribute}`;
}

function fakeArn(logicalId: string, type: string, ctx: Pick<ResolveContext, 'accountId' | 'region'>): string {
  const [, service = 'custom', kind = 'resource'] = type.split('::');
  switch (type) {
    case 'AWS::IAM::Role': return `arn:aws:iam::${ctx.accountId}:role/${logicalId}`;
    case 'AWS::IAM::ManagedPolicy': return `arn:aws:iam::${ctx.accountId}:policy/${logicalId}`;
    case 'AWS::Lambda::Function': return `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${logicalId}`;
    case 'AWS::StepFunctions::StateMachine': return `arn:aws:states:${ctx.region}:${ctx.accountId}:stateMachine:${logicalId}`;
    case 'AWS::EKS::Cluster': return `arn:aws:eks:${ctx.region}:${ctx.accountId}:cluster/${logicalId}`;
    default: return `arn:aws:${service.toLowerCase()}:${ctx.region}:${ctx.accountId}:${kind.toLowerCase()}/${logicalId}`;
  }
}

// ---------------------------------------------------------------------------------------

function resolveInner(value: unknown, ctx: ResolveContext, where: string): unknown {
  if (Array.isArray(value)) {
    return value.map((v, i) => resolveInner(v, ctx, `${where}[${i}]`)).filter(v => v !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition')) {
    return resolveIntrinsic(keys[0], obj[keys[0]], ctx, `${where}.${keys[0]}`);
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = resolveInner(obj[key], ctx, `${where}.${key}`);
    if (v !== NO_VALUE) out[key] = v;
  }
  return out;
}

function resolveIntrinsic(fn: string, arg: unknown, ctx: ResolveContext, where: string): unknown {
  switch (fn) {
    case 'Ref': return resolveRef(expectString(arg, where), ctx, where);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = getAttParts(arg, where);
      return resolveGetAtt(logicalId, attribute, ctx, where);
    }
    case 'Fn::Join': {
      const [sep, list] = expectArray(arg, 2, where);
      const items = resolveInner(list, ctx, where);
      if (!Array.isArray(items)) throw new TemplateError(`${where}: second argument must resolve to a list`);
      return items.map(i => expectString(i, where)).join(expectString(sep, where));
    }
    case 'Fn::Select': {
      const [index, list] = expectArray(arg, 2, where);
      const i = Number(resolveInner(index, ctx, where));
      const items = resolveInner(list, ctx, where);
      if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
        throw new TemplateError(`${where}: index ${i} is out of range of ${JSON.stringify(items)}`);
      }
      return items[i];
    }
    case 'Fn::Split': {
      const [sep, source] = expectArray(arg, 2, where);
      return expectString(resolveInner(source, ctx, where), where).split(expectString(sep, where));
    }
    case 'Fn::Sub': return resolveSub(arg, ctx, where);
    case 'Fn::If': {
      const [condition, ifTrue, ifFalse] = expectArray(arg, 3, where);
      return resolveInner(evaluateCondition(expectString(condition, where), ctx, where) ? ifTrue : ifFalse, ctx, where);
    }
    case 'Condition': return evaluateCondition(expectString(arg, where), ctx, where);
    case 'Fn::Equals': {
      const [a, b] = expectArray(arg, 2, where);
      return JSON.stringify(resolveInner(a, ctx, where)) === JSON.stringify(resolveInner(b, ctx, where));
    }
    case 'Fn::And': return expectArray(arg, -1, where).every(c => resolveInner(c, ctx, where) === true);
    case 'Fn::Or': return expectArray(arg, -1, where).some(c => resolveInner(c, ctx, where) === true);
    case 'Fn::Not': return resolveInner(expectArray(arg, 1, where)[0], ctx, where) !== true;
    case 'Fn::FindInMap': {
      const [map, top, second] = expectArray(arg, 3, where).map(v => expectString(resolveInner(v, ctx, where), where));
      const found = ctx.template.Mappings?.[map]?.[top]?.[second];
      if (found === undefined) throw new TemplateError(`${where}: mapping ${map}.${top}.${second} does not exist`);
      return found;
    }
    case 'Fn::GetAZs': return ['a', 'b', 'c'].map(z => `${ctx.region}${z}`);
    case 'Fn::Base64': return Buffer.from(expectString(resolveInner(arg, ctx, where), where)).toString('base64');
    default:
      throw new TemplateError(`${where}: intrinsic function ${fn} is not supported by the lifecycle runner`);
  }
}

function resolveRef(name: string, ctx: ResolveContext, where: string): unknown {
  switch (name) {
    case 'AWS::AccountId': return ctx.accountId;
    case 'AWS::Region': return ctx.region;
    case 'AWS::Partition': return 'aws';
    case 'AWS::StackName': return ctx.stackName;
    case 'AWS::StackId': return ctx.stackId;
    case 'AWS::URLSuffix': return 'amazonaws.com';
    case 'AWS::NoValue': return NO_VALUE;
    case 'AWS::NotificationARNs': return [];
  }
  const parameter = ctx.template.Parameters?.[name];
  if (parameter) {
    if (parameter.Default === undefined) throw new TemplateError(`${where}: parameter ${name} has no default value`);
    return String(parameter.Default);
  }
  if (!ctx.template.Resources[name]) throw new TemplateError(`${where}: Ref to unknown resource or parameter "${name}"`);
  const id = ctx.physicalId(name);
  if (id === undefined) throw new TemplateError(`${where}: Ref to "${name}", which has no physical id (not created)`);
  return id;
}

function resolveGetAtt(logicalId: string, attribute: string, ctx: ResolveContext, where: string): string {
  if (!ctx.template.Resources[logicalId]) throw new TemplateError(`${where}: Fn::GetAtt of unknown resource "${logicalId}"`);
  const value = ctx.attribute(logicalId, attribute);
  if (value === undefined) {
    // CloudFormation's own wording when a custom resource response lacks the attribute.
    throw new TemplateError(
      `${where}: CustomResource attribute error: Vendor response doesn't contain ${attribute} key in object ${logicalId}`);
  }
  return value;
}

function resolveSub(arg: unknown, ctx: ResolveContext, where: string): string {
  const [template, vars] = typeof arg === 'string' ? [arg, {}] : expectArray(arg, 2, where) as [unknown, Record<string, unknown>];
  const text = expectString(template, where);
  return text.replace(/\$\{([^}]+)\}/g, (match, expr: string) => {
    if (expr.startsWith('!')) return `\${${expr.slice(1)}}`; // ${!Literal}
    if (vars && expr in vars) return expectString(resolveInner(vars[expr], ctx, where), where);
    if (PSEUDO_PARAMETERS.has(expr) || ctx.template.Parameters?.[expr]) return String(resolveRef(expr, ctx, where));
    const dot = expr.indexOf('.');
    if (dot > 0) return resolveGetAtt(expr.slice(0, dot), expr.slice(dot + 1), ctx, where);
    if (ctx.template.Resources[expr]) return String(resolveRef(expr, ctx, where));
    throw new TemplateError(`${where}: Fn::Sub variable ${match} does not name a resource, parameter or variable`);
  });
}

function evaluateCondition(name: string, ctx: ResolveContext, where: string): boolean {
  const condition = ctx.template.Conditions?.[name];
  if (condition === undefined) throw new TemplateError(`${where}: condition "${name}" does not exist`);
  return resolveInner(condition, ctx, `Conditions.${name}`) === true;
}

function collectReferences(value: unknown, template: CfnTemplate, deps: Set<string>, where: string): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => collectReferences(v, template, deps, `${where}[${i}]`));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(obj)) {
    if (key === 'Ref' && typeof v === 'string' && template.Resources[v]) {deps.add(v);} else if (key === 'Fn::GetAtt') {deps.add(getAttParts(v, where)[0]);} else if (key === 'Fn::Sub') {
      const [text, vars] = typeof v === 'string' ? [v, {}] : (v as [string, Record<string, unknown>]);
      for (const m of String(text).matchAll(/\$\{([^}!][^}]*)\}/g)) {
        const name = m[1].split('.')[0];
        if (template.Resources[name] && !(vars && name in vars)) deps.add(name);
      }
      collectReferences(vars, template, deps, where);
    } else {collectReferences(v, template, deps, `${where}.${key}`);}
  }
}

function getAttParts(arg: unknown, where: string): [string, string] {
  if (typeof arg === 'string' && arg.includes('.')) {
    const dot = arg.indexOf('.');
    return [arg.slice(0, dot), arg.slice(dot + 1)];
  }
  const parts = expectArray(arg, 2, where);
  return [expectString(parts[0], where), expectString(parts[1], where)];
}

function expectString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(`${where}: expected a string, got ${JSON.stringify(value)}`);
}

function expectArray(value: unknown, length: number, where: string): unknown[] {
  if (!Array.isArray(value) || (length >= 0 && value.length !== length)) {
    throw new TemplateError(`${where}: expected a list${length >= 0 ? ` of ${length}` : ''}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function stringifyScalars(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringifyScalars);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyScalars(v)]));
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}
