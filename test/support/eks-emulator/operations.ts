// The operations: what each valid request does to the state, and the service's conflict rules.
//
// One at a time (the rule the handler exists to cope with):
// - a create is refused while any profile of the cluster is CREATING or DELETING;
// - a delete is refused while any profile is DELETING and, by default, also while any profile is
//   CREATING (`deleteBlockedByCreating`);
// - a profile that is itself CREATING or DELETING cannot be deleted, whatever the setting.
// Precedence: an idempotent replay (same clientRequestToken, same parameters, profile still there)
// wins over everything and returns the stored profile; then name in use; then a cluster update in
// progress; then one-at-a-time; then the quota; then the IAM propagation fault.
import { EksError } from './errors';
import type { FaultInjector } from './faults';
import { Reply, wireProfile } from './http';
import { CreateProfileInput, encodeNextToken, MAX_TAGS, ValidRequest } from './input-rules';
import { ClusterRecord, EmulatorState, inStatus, ProfileRecord } from './state';
import type { ProfileStatus } from './types';

/**
 * The service's message for a role whose trust policy does not (yet) let
 * eks-fargate-pods.amazonaws.com assume it (hashicorp/terraform-provider-aws
 * internal/service/eks/fargate_profile.go, which retries it for 2 minutes of IAM propagation).
 */
export const IAM_TRUST_POLICY_MESSAGE =
  'Misconfigured PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com Service Principal';

/** The emulator-wide knobs tests may change at any time (the facade holds them). */
export interface ServiceSettings {
  readonly createDelayMs: number;
  readonly deleteDelayMs: number;
  readonly deleteBlockedByCreating: boolean;
  readonly maxProfilesPerCluster: number;
}

export class Operations {
  constructor(
    private readonly state: EmulatorState,
    private readonly faults: FaultInjector,
    private readonly settings: ServiceSettings,
  ) {}

  public apply(request: ValidRequest): Reply {
    switch (request.operation) {
      case 'CreateFargateProfile': return this.createProfile(request.cluster, request.input);
      case 'DescribeFargateProfile': return ok({ fargateProfile: wireProfile(request.profile) });
      case 'DeleteFargateProfile': return this.deleteProfile(request.cluster, request.profile);
      case 'ListFargateProfiles': return listProfiles(request.cluster, request.maxResults, request.after);
      case 'TagResource': return tagResource(request.profile, request.tags);
      case 'UntagResource':
        for (const key of request.keys) delete request.profile.tags[key];
        return ok({});
      case 'ListTagsForResource': return ok({ tags: { ...request.profile.tags } });
      case 'DescribeCluster': return describeCluster(request.cluster);
    }
  }

  private createProfile(cluster: ClusterRecord, input: CreateProfileInput): Reply {
    const { name, roleArn, token } = input;
    const fields = { clusterName: cluster.name, fargateProfileName: name };
    const inUse = (message: string) => new EksError('ResourceInUseException', message, fields);
    const fingerprint = JSON.stringify([name, roleArn, input.subnets, input.selectors, sortedEntries(input.tags)]);
    // The IAM propagation window starts when a role is first seen in a create that passed the input rules.
    this.faults.noteRole(roleArn, this.state.clock());

    // API reference: clientRequestToken ensures "the idempotency of the request". A reused token
    // with other parameters is an InvalidParameterException: our assumption.
    const previous = token === undefined ? undefined : cluster.tokens.get(token);
    if (previous && cluster.profiles.get(previous.name) === previous) {
      if (previous.fingerprint !== fingerprint) {
        throw new EksError('InvalidParameterException', `The clientRequestToken '${token}' was already used with different parameters.`, fields);
      }
      return ok({ fargateProfile: wireProfile(previous) });
    }
    // The service's message: eksctl-io/eksctl#2591, #5652 (and moto).
    if (cluster.profiles.has(name)) throw inUse('A Fargate Profile already exists with this name in this cluster.');
    // Our assumption: the delete's message (terraform-aws-modules/terraform-aws-eks#2194) holds for creates too.
    if (cluster.updating) throw inUse(`Cannot create Fargate Profile ${name} because cluster ${cluster.name} currently has an update in progress`);
    // Message for CREATING: terraform-aws-modules/terraform-aws-eks PR #866 and eksctl. The rule for
    // DELETING is in the API reference (CreateFargateProfile); its wording is our assumption by analogy.
    const busy = inStatus(cluster, ['CREATING', 'DELETING']);
    if (busy) {
      throw inUse(`Cannot create Fargate Profile ${name} because cluster ${cluster.name} currently has Fargate profile ${busy.name} in status ${busy.status}`);
    }
    // Quota "Fargate profiles per cluster", default 10 (L-33415657); ResourceLimitExceededException is
    // in CreateFargateProfile's errors (boto3 reference). The message is our wording.
    if (cluster.profiles.size >= this.settings.maxProfilesPerCluster) {
      throw new EksError('ResourceLimitExceededException',
        `Cluster ${cluster.name} already has the maximum of ${this.settings.maxProfilesPerCluster} Fargate profiles.`, fields);
    }
    if (this.faults.rolePropagating(roleArn, this.state.clock())) {
      throw new EksError('InvalidParameterException', IAM_TRUST_POLICY_MESSAGE, fields);
    }

    const profile = this.state.addProfile(cluster, {
      ...input,
      fingerprint,
      createDelayMs: this.state.delayFor(name, 'createDelayMs', this.settings.createDelayMs),
      createFailure: this.faults.takeHealthIssues({ operation: 'CreateFargateProfile', cluster: cluster.name, profile: name }),
    }, token);
    return ok({ fargateProfile: wireProfile(profile) });
  }

  private deleteProfile(cluster: ClusterRecord, profile: ProfileRecord): Reply {
    const fields = { clusterName: cluster.name, fargateProfileName: profile.name };
    const inUse = (message: string) => new EksError('ResourceInUseException', message, fields);
    // The service's message: terraform-aws-modules/terraform-aws-eks#2194.
    if (cluster.updating) {
      throw inUse(`Cannot Delete Fargate Profile ${profile.name} because cluster ${cluster.name} currently has an update in progress`);
    }
    // API reference, DeleteFargateProfile: "Only one Fargate profile in a cluster can be in the DELETING
    // status at a time"; message from hashicorp/terraform#25059 and cloud-custodian PR #5585.
    // Also refusing while another profile is CREATING is our conservative assumption (no source shows
    // the service doing it; a handler that copes with the stricter rule copes with both).
    const blocking: ProfileStatus[] = this.settings.deleteBlockedByCreating ? ['DELETING', 'CREATING'] : ['DELETING'];
    const busy = ['CREATING', 'DELETING'].includes(profile.status) ? profile : inStatus(cluster, blocking);
    if (busy) {
      throw inUse(`Cannot Delete Fargate Profile ${profile.name} because cluster ${cluster.name} currently has Fargate profile ${busy.name} in status ${busy.status}`);
    }
    this.state.startDeleting(profile,
      this.state.delayFor(profile.name, 'deleteDelayMs', this.settings.deleteDelayMs),
      this.faults.takeHealthIssues({ operation: 'DeleteFargateProfile', cluster: cluster.name, profile: profile.name }));
    return ok({ fargateProfile: wireProfile(profile) });
  }
}

/** Names in order, `maxResults` a page; every status is listed (API reference, ListFargateProfiles). */
function listProfiles(cluster: ClusterRecord, maxResults: number, after: string | undefined): Reply {
  const names = [...cluster.profiles.keys()].sort();
  let start = after === undefined ? 0 : names.findIndex((n) => n > after);
  if (start < 0) start = names.length;
  const page = names.slice(start, start + maxResults);
  const more = start + maxResults < names.length;
  return ok({ fargateProfileNames: page, ...(more ? { nextToken: encodeNextToken(page[page.length - 1]) } : {}) });
}

/** TagResource merges (API reference); the 50-tag limit counts the merged set. */
function tagResource(profile: ProfileRecord, tags: Record<string, string>): Reply {
  if (Object.keys({ ...profile.tags, ...tags }).length > MAX_TAGS) {
    throw new EksError('BadRequestException', `A resource can have at most ${MAX_TAGS} tags.`);
  }
  Object.assign(profile.tags, tags);
  return ok({});
}

/** Just what the handler and tests read; `status` UPDATING while a test says an update runs. */
function describeCluster(cluster: ClusterRecord): Reply {
  return ok({
    cluster: {
      name: cluster.name,
      arn: cluster.arn,
      createdAt: cluster.createdAt / 1000,
      version: '1.32',
      status: cluster.updating ? 'UPDATING' : 'ACTIVE',
      resourcesVpcConfig: { subnetIds: [...cluster.privateSubnets] },
      tags: {},
    },
  });
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function sortedEntries(map: Record<string, string>): Array<[string, string]> {
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
