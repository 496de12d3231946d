// What one stack operation of the lifecycle runner records: resource events (like
// `aws cloudformation describe-stack-events`), the requests sent to the custom resource
// provider, the first failure, and the report that sums them up.
import type { CustomResourceRequest, ProviderResponse } from './provider-framework';

export type StackStatus =
  | 'NOT_CREATED' | 'CREATE_COMPLETE' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED' | 'UPDATE_COMPLETE'
  | 'UPDATE_ROLLBACK_COMPLETE' | 'UPDATE_ROLLBACK_FAILED' | 'DELETE_COMPLETE' | 'DELETE_FAILED';

export type ResourceStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE' | 'UPDATE_FAILED'
  | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED' | 'DELETE_SKIPPED';

/** Phase of a stack operation, as in CloudFormation's stack status names. */
export type Phase = 'forward' | 'cleanup' | 'rollback' | 'rollback-cleanup';

/** One resource event, like a line of `aws cloudformation describe-stack-events`. */
export interface StackEvent {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly physicalId?: string;
  readonly status: ResourceStatus;
  readonly reason?: string;
  readonly phase: Phase;
  /** Milliseconds since the stack operation started. */
  readonly atMs: number;
}

/** One request sent to the custom resource provider, with its outcome and timing. */
export interface ProviderCall {
  readonly request: CustomResourceRequest;
  readonly response: ProviderResponse;
  readonly phase: Phase;
  readonly startMs: number;
  readonly endMs: number;
}

export interface OperationReport {
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE';
  readonly stackStatus: StackStatus;
  /**
   * Reason of the first failure, CloudFormation-style ("<logical id>: ... Message returned: <handler
   * error>"). Also set when only a cleanup delete failed, which CloudFormation reports as an event
   * while the stack still ends UPDATE_COMPLETE.
   */
  readonly failureReason?: string;
  /** When the operation started (the runner's clock, epoch ms); event and call times are relative to it. */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly events: StackEvent[];
  readonly calls: ProviderCall[];
}

/** Records one stack operation at a time; `begin` starts afresh. */
export class OperationRecorder {
  private events: StackEvent[] = [];
  private calls: ProviderCall[] = [];
  private startedAt = 0;
  private firstFailure?: string;

  constructor(private readonly now: () => number) {}

  public begin(): void {
    this.events = [];
    this.calls = [];
    this.firstFailure = undefined;
    this.startedAt = this.now();
  }

  /** Milliseconds since the operation began. */
  public elapsed(): number {
    return this.now() - this.startedAt;
  }

  public event(id: string, type: string, status: ResourceStatus, phase: Phase, physicalId?: string, reason?: string): void {
    this.events.push({ logicalId: id, resourceType: type, physicalId, status, reason, phase, atMs: this.elapsed() });
  }

  /** Records a failure event (the first failure becomes the report's reason); returns false for task results. */
  public fail(id: string, type: string, status: ResourceStatus, phase: Phase, physicalId: string | undefined, reason: string): false {
    this.event(id, type, status, phase, physicalId, reason);
    this.firstFailure ??= `${id}: ${reason}`;
    return false;
  }

  public call(call: ProviderCall): void {
    this.calls.push(call);
  }

  public end(operation: OperationReport['operation'], stackStatus: StackStatus): OperationReport {
    return {
      operation,
      stackStatus,
      failureReason: this.firstFailure,
      startedAt: this.startedAt,
      durationMs: this.elapsed(),
      events: this.events,
      calls: this.calls,
    };
  }
}
