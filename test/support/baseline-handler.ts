// The polling strategy of aws-cdk-lib's own FargateProfile (the EKS cluster-resource
// handler), for the benchmark's comparison: onEvent creates or deletes the profile and
// returns at once; isComplete makes a single DescribeFargateProfile per invocation, and
// the Provider calls it every queryInterval (1 minute in aws-cdk-lib's cluster provider).
// No conflict handling: aws-cdk-lib chains a cluster's profiles instead, as ours does.
// It runs under our template's handler policy, which lets a create through only with this stack's
// ownership marker (and a delete only of a marked profile), so it sets the marker as ours does: an
// IAM detail of this harness, not part of the polling strategy being compared.
import { CreateFargateProfileCommand, DeleteFargateProfileCommand, DescribeFargateProfileCommand, EKSClient } from '@aws-sdk/client-eks';
import { UserHandler } from './provider-framework';
import { ownerMarker } from '../../lambda/naming';
import { FargateProfileResourceProperties, OWNER_TAG_KEY } from '../../src/wire-contract';

/** aws-cdk-lib's cluster resource provider polls isComplete once a minute. */
export const BASELINE_QUERY_INTERVAL_MS = 60_000;

export const baselineHandler: UserHandler = {
  async onEvent(event: any) {
    const eks = new EKSClient({});
    const props: FargateProfileResourceProperties = event.ResourceProperties;
    switch (event.RequestType) {
      case 'Create': {
        const name = props.FargateProfileName ?? `${event.LogicalResourceId}-${event.RequestId.replace(/-/g, '').slice(0, 16)}`;
        const out = await eks.send(new CreateFargateProfileCommand({
          clusterName: props.ClusterName,
          fargateProfileName: name,
          podExecutionRoleArn: props.PodExecutionRoleArn,
          subnets: props.Subnets,
          selectors: (props.Selectors ?? []).map(s => ({
            namespace: s.Namespace,
            labels: s.Labels ? Object.fromEntries(s.Labels.map(l => [l.Key, l.Value])) : undefined,
          })),
          tags: {
            ...Object.fromEntries((props.Tags ?? []).map(t => [t.Key, t.Value])),
            [OWNER_TAG_KEY]: ownerMarker(event.StackId, event.LogicalResourceId),
          },
        }));
        return { PhysicalResourceId: name, Data: { Arn: out.fargateProfile?.fargateProfileArn } };
      }
      case 'Delete':
        await eks.send(new DeleteFargateProfileCommand({ clusterName: props.ClusterName, fargateProfileName: event.PhysicalResourceId }));
        return { PhysicalResourceId: event.PhysicalResourceId };
      default:
        throw new Error('the baseline handler only creates and deletes');
    }
  },

  async isComplete(event: any) {
    const status = await queryStatus(event.ResourceProperties.ClusterName, event.PhysicalResourceId);
    return { IsComplete: event.RequestType === 'Delete' ? status === 'NOT_FOUND' : status === 'ACTIVE' };
  },
};

async function queryStatus(clusterName: string, fargateProfileName: string): Promise<string | undefined> {
  try {
    const out = await new EKSClient({}).send(new DescribeFargateProfileCommand({ clusterName, fargateProfileName }));
    return out.fargateProfile?.status;
  } catch (e: any) {
    if (e.name === 'ResourceNotFoundException') return 'NOT_FOUND';
    throw e;
  }
}
