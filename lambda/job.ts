// The job of an invocation: the one profile it is responsible for, and whether that profile should
// be PRESENT (as a spec describes it) or ABSENT. Nothing else is ever touched. A job is a pure
// function of the event, so a retried invocation of the same request works on the same profile.
import type { CreateRequest, DeleteRequest, HandlerEvent, UpdateRequest } from './event';
import { clientRequestToken, generateProfileName, ownerMarker } from './naming';
import type { ProfileSpec } from './profile-model';

export type Desired = 'PRESENT' | 'ABSENT';

/** Who the job works for, and what proves a profile is its own. */
interface Ownership {
  /** This resource's ownership marker (OWNER_TAG_KEY's value, naming.ts): set on create, required to act. */
  readonly owner: string;
  /**
   * The profile name is CloudFormation's record of this resource's profile (the PhysicalResourceId of
   * an Update that keeps it, or of a Delete): a profile under it without a marker was created by this
   * resource before markers existed, and is marked before anything else is done to it.
   */
  readonly recordedName: boolean;
}

/** Make the profile exist as `spec` says: create it, or bring its tags in line. */
export interface PresentJob extends Ownership {
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
export interface AbsentJob extends Ownership {
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

export function presentJob(event: CreateRequest | UpdateRequest, profileName: string, previouslyManagedTags: Record<string, string>,
  recordedName: boolean): PresentJob {
  return {
    desired: 'PRESENT',
    clusterName: event.spec.clusterName,
    profileName,
    spec: event.spec,
    clientRequestToken: clientRequestToken(event.requestId, profileName),
    previouslyManagedTags,
    owner: ownerMarker(event.stackId, event.logicalResourceId),
    recordedName,
  };
}

export function absentJob(event: DeleteRequest, retryFailedDelete: boolean): AbsentJob {
  return {
    desired: 'ABSENT',
    clusterName: event.clusterName,
    profileName: event.physicalResourceId,
    knownSpec: event.knownSpec,
    retryFailedDelete,
    owner: ownerMarker(event.stackId, event.logicalResourceId),
    recordedName: event.recordedName,
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
      return presentJob(event, event.physicalResourceId ?? createName(event), {}, false);
    case 'Update':
      // A replacement's new name is not CloudFormation's record (yet): only onEvent knows which it is.
      return presentJob(event, event.physicalResourceId, event.oldSpec?.tags ?? {}, event.inPlace);
    case 'Delete':
      return absentJob(event, false);
  }
}
