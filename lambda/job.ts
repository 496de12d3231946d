// The job of an invocation: the one profile it is responsible for, and whether that profile should
// be PRESENT (as a spec describes it) or ABSENT. Nothing else is ever touched. A job is a pure
// function of the event, so a retried invocation of the same request works on the same profile.
import type { CreateRequest, DeleteRequest, HandlerEvent, UpdateRequest } from './event';
import { clientRequestToken, generateProfileName } from './naming';
import type { ProfileSpec } from './profile-model';

export type Desired = 'PRESENT' | 'ABSENT';

/** Make the profile exist as `spec` says: create it, or bring its tags in line. */
export interface PresentJob {
  readonly desired: 'PRESENT';
  readonly clusterName: string;
  readonly profileName: string;
  readonly spec: ProfileSpec;
  /** Idempotency token for CreateFargateProfile, derived from the CloudFormation RequestId. */
  readonly clientRequestToken: string;
  /** Tags the resource managed before this request (old properties); only these are ever removed. */
  readonly previouslyManagedTags: Record<string, string>;
}

/** Make the profile go away, if this resource created it. */
export interface AbsentJob {
  readonly desired: 'ABSENT';
  readonly clusterName: string;
  readonly profileName: string;
  /**
   * What the resource asked for, to tell its profile from someone else's under the same name.
   * Undefined when the properties no longer validate: then the profile is taken as its own.
   */
  readonly knownSpec?: ProfileSpec;
  /**
   * A new Delete request (onEvent) retries a profile left in DELETE_FAILED by an earlier attempt:
   * the user retrying a stack deletion expects another try. Within one request it fails instead.
   */
  readonly retryFailedDelete: boolean;
}

export type Job = PresentJob | AbsentJob;

export function presentJob(event: CreateRequest | UpdateRequest, profileName: string, previouslyManagedTags: Record<string, string>): PresentJob {
  return {
    desired: 'PRESENT',
    clusterName: event.spec.clusterName,
    profileName,
    spec: event.spec,
    clientRequestToken: clientRequestToken(event.requestId, profileName),
    previouslyManagedTags,
  };
}

export function absentJob(event: DeleteRequest, retryFailedDelete: boolean): AbsentJob {
  return {
    desired: 'ABSENT',
    clusterName: event.clusterName,
    profileName: event.physicalResourceId,
    knownSpec: event.knownSpec,
    retryFailedDelete,
  };
}

/** The name a Create gives its profile: the user's, or one generated from the request. */
export function createName(event: CreateRequest): string {
  return event.spec.explicitName ?? generateProfileName(event.logicalResourceId, event.requestId);
}

/** isComplete's job: the one onEvent started, for the profile whose name onEvent returned. */
export function jobToComplete(event: HandlerEvent): Job {
  switch (event.requestType) {
    case 'Create':
      return presentJob(event, event.physicalResourceId ?? createName(event), {});
    case 'Update':
      return presentJob(event, event.physicalResourceId, event.oldSpec?.tags ?? {});
    case 'Delete':
      return absentJob(event, false);
  }
}
