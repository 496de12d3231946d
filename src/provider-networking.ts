// Where the provider's Lambda functions run when given a VPC, checked at synth time: never in public
// subnets (a Lambda function gets no public IP address there), and a warning when the subnets are
// isolated and the app defines no VPC endpoint for a service the functions call.
import { Annotations, Aspects, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { describeSubnet } from './subnets';
import { fail } from './validation';

/** Id of the warning about isolated subnets without the endpoints the functions need. */
export const MISSING_ENDPOINTS_WARNING_ID = 'cdk-eks-fargate-profile:providerEndpoints';

/**
 * The services the provider's functions call over the network, by endpoint service name suffix
 * (`com.amazonaws.<region>.<suffix>`): the handler calls EKS; the framework's onEvent function calls
 * Lambda (GetFunction, Invoke) and Step Functions (StartExecution); the framework's functions answer
 * CloudFormation through a pre-signed S3 URL. Function logs need no endpoint: Lambda delivers them
 * outside the function's network. No STS: the functions use their execution role's credentials.
 */
export const REQUIRED_ENDPOINT_SERVICES = ['eks', 'lambda', 'states', 's3'];
/** With tracing on. */
export const TRACING_ENDPOINT_SERVICE = 'xray';

/** The subnets the provider's functions get; refuses public ones. */
export function selectProviderSubnets(path: string, vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined): ec2.SelectedSubnets {
  if (selection?.subnetType === ec2.SubnetType.PUBLIC) {
    fail(path, 'vpcSubnets selects PUBLIC subnets; the provider\'s Lambda functions need private subnets (a function gets no public IP address)');
  }
  let selected: ec2.SelectedSubnets;
  try {
    selected = vpc.selectSubnets(selection);
  } catch (e) {
    return fail(path, `vpcSubnets selects no subnets: ${(e as Error).message}`);
  }
  const publicIds = new Set(vpc.publicSubnets.map((s) => s.subnetId));
  const publicOnes = selected.subnets.filter((s) => publicIds.has(s.subnetId));
  if (selected.hasPublic || publicOnes.length > 0) {
    fail(path, `vpcSubnets selects public subnet(s) ${publicOnes.map(describeSubnet).join(', ')}; `
      + 'the provider\'s Lambda functions need private subnets (a function gets no public IP address)');
  }
  if (selected.subnets.length === 0) {
    fail(path, 'vpcSubnets selects no subnets; give private subnets of vpc');
  }
  return selected;
}

/** Whether every selected subnet is isolated (no route out of the VPC). */
export function allIsolated(vpc: ec2.IVpc, selected: ec2.SelectedSubnets): boolean {
  const isolatedIds = new Set(vpc.isolatedSubnets.map((s) => s.subnetId));
  return selected.subnets.every((s) => isolatedIds.has(s.subnetId));
}

/**
 * Warns at synthesis (after the whole app is built) when the app defines no VPC endpoint in `vpc`
 * for a service the functions need. Only for isolated subnets: with a NAT gateway the functions
 * reach the services anyway.
 */
export function warnOnMissingEndpoints(provider: IConstruct, vpc: ec2.IVpc, services: string[]): void {
  Aspects.of(provider).add(new MissingEndpointsCheck(provider, vpc, services));
}

class MissingEndpointsCheck implements IAspect {
  private done = false;

  constructor(private readonly provider: IConstruct, private readonly vpc: ec2.IVpc, private readonly services: string[]) {}

  public visit(node: IConstruct): void {
    if (node !== this.provider || this.done) return;
    this.done = true;
    const defined = new Set(node.node.root.node.findAll()
      .filter((c): c is ec2.CfnVPCEndpoint => c instanceof ec2.CfnVPCEndpoint && c.vpcId === this.vpc.vpcId)
      .map((endpoint) => serviceSuffix(endpoint)));
    const missing = this.services.filter((service) => !defined.has(service));
    if (missing.length === 0) return;
    Annotations.of(this.provider).addWarningV2(MISSING_ENDPOINTS_WARNING_ID,
      `The provider's Lambda functions run in isolated subnets of ${describeVpc(this.vpc)}, and this app defines no VPC `
      + `endpoint there for: ${missing.join(', ')}. Without a route to these services, deployments of Fargate profiles `
      + 'time out. Add the endpoints (ec2.InterfaceVpcEndpointAwsService / GatewayVpcEndpointAwsService), or acknowledge '
      + 'this warning if they exist outside this app.');
  }
}

/** The last dot-separated part of an endpoint's service name (`com.amazonaws.us-east-1.eks` -> `eks`). */
function serviceSuffix(endpoint: ec2.CfnVPCEndpoint): string {
  const resolved = Stack.of(endpoint).resolve(endpoint.serviceName) as unknown;
  const text = typeof resolved === 'string' ? resolved : joinedText(resolved);
  return text.split('.').pop() ?? '';
}

/** The literal text of an `Fn::Join` (tokens as empty strings), enough to read the suffix. */
function joinedText(value: unknown): string {
  const join = (value as Record<string, unknown> | undefined)?.['Fn::Join'] as [string, unknown[]] | undefined;
  if (!join) return '';
  return join[1].map((part) => (typeof part === 'string' ? part : '')).join(join[0]);
}

function describeVpc(vpc: ec2.IVpc): string {
  return Token.isUnresolved(vpc.vpcId) ? vpc.node.path : vpc.vpcId;
}
