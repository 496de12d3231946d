// The public input of FargateProfileProvider, importable without the construct.
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Properties of a {@link FargateProfileProvider}: where its Lambda functions run and how what it
 * creates is encrypted, traced and sized.
 */
export interface FargateProfileProviderProps {
  /**
   * The VPC of every Lambda function the provider deploys: the handler's onEvent and isComplete
   * functions and the Provider framework's onEvent, isComplete and onTimeout functions.
   *
   * The functions must reach Amazon EKS, AWS Lambda, AWS Step Functions and Amazon S3 (the
   * CloudFormation response URL), and AWS X-Ray when `tracing` is on: through a NAT gateway or
   * VPC endpoints (see the README's "Regulated accounts").
   *
   * @default - the functions run outside any VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of the functions, in `vpc`. Public subnets are refused: a Lambda function gets no
   * public IP address, so a public subnet gives it no way out.
   *
   * @default - the VPC's private subnets (with egress), else its isolated ones
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the functions, in `vpc`. They need outbound HTTPS (443) to the endpoints or
   * the NAT gateway; nothing inbound.
   *
   * @default - one security group per function, allowing all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The KMS key that encrypts every log group the provider creates (the handler's, the Provider
   * framework's and the waiter state machine's).
   *
   * A key of this stack gets the key policy statement the CloudWatch Logs guide requires, scoped to
   * exactly those log groups (`kms:EncryptionContext:aws:logs:arn`). An imported key's policy cannot
   * be changed from here: it must allow the `logs.<region>.amazonaws.com` service principal
   * `kms:Encrypt*`, `kms:Decrypt*`, `kms:ReEncrypt*`, `kms:GenerateDataKey*` and `kms:Describe*`
   * for these log groups, or the stack fails to create them. A key of another stack of the app is
   * refused (its policy would depend on this stack, and this stack on the key).
   *
   * @default - the log groups are encrypted with keys CloudWatch Logs manages
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * Whether the functions and the waiter state machine send traces to AWS X-Ray. Tracing needs
   * the `xray:PutTraceSegments` and `xray:PutTelemetryRecords` permissions (the state machine also
   * `xray:GetSamplingRules` and `xray:GetSamplingTargets`), which AWS grants on `Resource: "*"`
   * only.
   *
   * @default true
   */
  readonly tracing?: boolean;

  /**
   * Memory of the handler's onEvent and isComplete functions, in MiB.
   *
   * @default 128
   */
  readonly memorySize?: number;

  /**
   * Reserved concurrency of each function the provider deploys. A reservation is also a cap: set
   * it at least as high as the number of profiles CloudFormation may change at once (one per
   * cluster; profiles of different clusters in parallel), and the account must keep 100
   * unreserved executions besides, or Lambda refuses the function.
   *
   * @default - no reservation: the functions use the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
}
