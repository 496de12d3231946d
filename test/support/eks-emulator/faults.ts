// Fault injection: the one options-shaped `injectFault` API, the probabilistic knobs, and the
// IAM propagation window.
//
// - A call-error fault answers matching calls with an error before anything else happens
//   (nothing is created or deleted). A health-issue fault lets a create or delete be accepted,
//   and the profile then ends in CREATE_FAILED or DELETE_FAILED with those `health.issues`
//   (DescribeFargateProfile reports problems there; the codes the service uses are listed in
//   /work/shared/eks-facts.md).
// - Faults match on operation, cluster and profile name; the earliest injected fault that matches
//   and has uses left is the one used.
// - Per call, in this order: an injected call error, then `throttleProbability`, then
//   `serverErrorProbability`. The seeded PRNG is drawn only while a probability is > 0, so a
//   run is reproducible for a seed and a call sequence.
import { EksError } from './errors';
import type { EksOperation, EmulatorFaults, HealthIssue } from './types';

interface FaultScope {
  /** Only calls about this cluster (which must exist); default any. */
  readonly cluster?: string;
  /** Only calls about this profile name; default any. */
  readonly profile?: string;
  /** How many matching calls the fault hits; default 1. */
  readonly times?: number;
}

/** The create or delete is accepted, then ends in CREATE_FAILED or DELETE_FAILED with these issues. */
export interface HealthIssueFault extends FaultScope {
  readonly operation: 'CreateFargateProfile' | 'DeleteFargateProfile';
  readonly healthIssues: HealthIssue | readonly HealthIssue[];
  readonly error?: never;
}

/**
 * The call is answered with this error type (status from the service's model, e.g.
 * ThrottlingException 429, ServerException 500; any other name is a 400 the SDK surfaces as an
 * EKSServiceException with that name).
 */
export interface CallErrorFault extends FaultScope {
  /** Only calls of this operation; default any. */
  readonly operation?: EksOperation;
  readonly error: string;
  /** Default: the service's usual message for the type. */
  readonly message?: string;
  readonly healthIssues?: never;
}

export type FaultOptions = HealthIssueFault | CallErrorFault;

/** What a call is about, for matching faults. */
export interface CallTarget {
  readonly operation: EksOperation | 'Unknown';
  readonly cluster?: string;
  readonly profile?: string;
}

interface ActiveFault {
  readonly options: FaultOptions;
  /** Normalized copies of `healthIssues` (resourceIds always present). */
  readonly issues?: HealthIssue[];
  remaining: number;
}

export class FaultInjector {
  /** The probabilistic knobs and the IAM propagation window, changed by tests at any time. */
  public readonly knobs: EmulatorFaults = { iamPropagationMs: 0, throttleProbability: 0, serverErrorProbability: 0 };
  private readonly active: ActiveFault[] = [];
  private readonly roleFirstSeen = new Map<string, number>();

  /** @param random the seeded PRNG behind the probabilistic knobs */
  constructor(private readonly random: () => number) {}

  public inject(options: FaultOptions, requireCluster: (method: string, name: string) => unknown): void {
    const times = options.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new Error(`EksEmulator.injectFault: times must be an integer >= 1; got ${times}`);
    }
    if (options.cluster !== undefined) requireCluster('injectFault', options.cluster);
    if (options.healthIssues !== undefined) {
      if (options.error !== undefined) throw new Error('EksEmulator.injectFault: give either healthIssues or error, not both');
      if (options.operation !== 'CreateFargateProfile' && options.operation !== 'DeleteFargateProfile') {
        throw new Error(`EksEmulator.injectFault: healthIssues need operation CreateFargateProfile or DeleteFargateProfile; got ${options.operation}`);
      }
      this.active.push({ options, issues: issueList(options.healthIssues), remaining: times });
    } else {
      this.active.push({ options, remaining: times });
    }
  }

  /** Throws the error an injected fault or a probabilistic knob gives this call, if any. */
  public raiseCallError(target: CallTarget): void {
    const injected = this.take(target, false);
    if (injected && injected.options.error !== undefined) {
      throw new EksError(injected.options.error, injected.options.message ?? defaultMessage(injected.options.error));
    }
    if (this.knobs.throttleProbability > 0 && this.random() < this.knobs.throttleProbability) {
      throw new EksError('ThrottlingException', defaultMessage('ThrottlingException'));
    }
    if (this.knobs.serverErrorProbability > 0 && this.random() < this.knobs.serverErrorProbability) {
      throw new EksError('ServerException', defaultMessage('ServerException'));
    }
  }

  /** The health issues an accepted create or delete of this profile ends with, if a fault says so. */
  public takeHealthIssues(target: CallTarget): HealthIssue[] | undefined {
    return this.take(target, true)?.issues;
  }

  /** The propagation window of a role starts the first time it is seen. */
  public noteRole(roleArn: string, now: number): void {
    if (!this.roleFirstSeen.has(roleArn)) this.roleFirstSeen.set(roleArn, now);
  }

  /** Starts the role's window now, as if IAM had just created it. */
  public seeRole(roleArn: string, now: number): void {
    this.roleFirstSeen.set(roleArn, now);
  }

  /** Whether the role is still inside its IAM propagation window. */
  public rolePropagating(roleArn: string, now: number): boolean {
    const seenAt = this.roleFirstSeen.get(roleArn);
    return seenAt !== undefined && now - seenAt < this.knobs.iamPropagationMs;
  }

  /** Uses up one hit of the earliest matching fault of the kind asked for. */
  private take(target: CallTarget, healthIssues: boolean): ActiveFault | undefined {
    const fault = this.active.find((f) => f.remaining > 0 && (f.issues !== undefined) === healthIssues
      && (f.options.operation === undefined || f.options.operation === target.operation)
      && (f.options.cluster === undefined || f.options.cluster === target.cluster)
      && (f.options.profile === undefined || f.options.profile === target.profile));
    if (fault) fault.remaining--;
    return fault;
  }
}

function issueList(issues: HealthIssue | readonly HealthIssue[]): HealthIssue[] {
  const list: readonly HealthIssue[] = Array.isArray(issues) ? issues : [issues as HealthIssue];
  return list.map((i) => ({ ...i, resourceIds: [...(i.resourceIds ?? [])] }));
}

/** Messages of injected errors: our assumption ('Rate exceeded' is the usual AWS wording for throttling). */
function defaultMessage(errorType: string): string {
  switch (errorType) {
    case 'ThrottlingException': return 'Rate exceeded';
    case 'ServerException': return 'An internal error occurred. Please try again.';
    case 'ServiceUnavailableException': return 'Service unavailable. Please try again.';
    default: return `Injected ${errorType}`;
  }
}
