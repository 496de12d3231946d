// Deletions as CloudFormation runs them in a stack delete, a rollback or a cleanup phase: the
// resources of a template in reverse dependency order, and physical resources the stack no
// longer references (old ids of replacements, what a failed update left behind) in parallel
// with them. A failed deletion does not stop the others.
import { CfnTemplate, resourceDependencies } from './cfn-template';
import type { StackResource } from './lifecycle-runner';
import { runTaskGraph } from './task-graph';

/** One deletion: a resource of the template by logical id, or a physical resource. */
export type DeletionTask =
  | { readonly kind: 'resource'; readonly logicalId: string }
  /** The old physical resource an update replaced. */
  | { readonly kind: 'replaced'; readonly resource: StackResource }
  /** A physical id a failed or rolled-back update left behind. */
  | { readonly kind: 'stray'; readonly resource: StackResource };

/** How to delete each kind of task; both resolve false on failure and never reject. */
export interface Deleter {
  readonly resource: (logicalId: string) => Promise<boolean>;
  readonly physical: (resource: StackResource) => Promise<boolean>;
}

/** Deletes `logicalIds` of `template` and `physicals`; true when every deletion succeeded. */
export async function runDeletions(
  template: CfnTemplate, logicalIds: readonly string[], physicals: readonly DeletionTask[], deleter: Deleter,
): Promise<boolean> {
  const resources = new Map(logicalIds.map(logicalId => [logicalId, { kind: 'resource', logicalId } as const]));
  const result = await runTaskGraph<DeletionTask>({
    tasks: [...resources.values(), ...physicals],
    // A resource waits for the resources that depend on it; physical resources wait for nothing.
    waitFor: task => task.kind === 'resource'
      ? dependents(template, task.logicalId, logicalIds).map(id => resources.get(id)!)
      : [],
    run: task => task.kind === 'resource' ? deleter.resource(task.logicalId) : deleter.physical(task.resource),
    stopOnFailure: false,
    name: task => task.kind === 'resource' ? task.logicalId : `${task.kind} ${task.resource.physicalId}`,
  });
  return result.failed.size === 0 && result.notStarted.size === 0;
}

/** Resources in `among` that depend on `id` in `template` (they must be deleted first). */
function dependents(template: CfnTemplate, id: string, among: readonly string[]): string[] {
  return among.filter(other => other !== id && template.Resources[other] !== undefined
    && resourceDependencies(template, other).includes(id));
}
