// Runs tasks in dependency order with independent tasks in parallel, the way
// CloudFormation schedules resource operations within one stack operation.

export interface GraphResult {
  readonly succeeded: ReadonlySet<string>;
  readonly failed: ReadonlySet<string>;
  /** Tasks never started: a failure stopped scheduling, or a task they wait for failed. */
  readonly notStarted: ReadonlySet<string>;
}

/**
 * Starts every task whose `waitFor` tasks (restricted to `tasks`) have succeeded. With
 * `stopOnFailure`, the first failure stops new starts; tasks already running finish.
 * `run` resolves true for success, false for failure (it must not reject).
 */
export async function runTaskGraph(
  tasks: readonly string[],
  waitFor: (task: string) => readonly string[],
  run: (task: string) => Promise<boolean>,
  stopOnFailure: boolean,
): Promise<GraphResult> {
  const inSet = new Set(tasks);
  const prerequisites = new Map(tasks.map(t => [t, waitFor(t).filter(d => inSet.has(d) && d !== t)]));
  const succeeded = new Set<string>();
  const failed = new Set<string>();
  const running = new Map<string, Promise<void>>();
  let stopped = false;

  for (;;) {
    if (!stopped) {
      for (const task of tasks) {
        if (running.has(task) || succeeded.has(task) || failed.has(task)) continue;
        if (prerequisites.get(task)!.every(d => succeeded.has(d))) {
          running.set(task, run(task).then(ok => {
            running.delete(task);
            (ok ? succeeded : failed).add(task);
            if (!ok && stopOnFailure) stopped = true;
          }));
        }
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }

  const notStarted = new Set(tasks.filter(t => !succeeded.has(t) && !failed.has(t)));
  if (!stopped && failed.size === 0 && notStarted.size > 0) {
    throw new Error(`Circular dependency between resources: ${[...notStarted].join(', ')}`);
  }
  return { succeeded, failed, notStarted };
}
