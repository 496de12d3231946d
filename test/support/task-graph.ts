// Runs tasks in dependency order with independent tasks in parallel, the way
// CloudFormation schedules resource operations within one stack operation.

export interface TaskGraph<T> {
  readonly tasks: readonly T[];
  /** Tasks this one waits for; tasks outside `tasks` (and the task itself) are ignored. */
  readonly waitFor: (task: T) => readonly T[];
  /** Resolves true for success, false for failure; must not reject. */
  readonly run: (task: T) => Promise<boolean>;
  /** Whether the first failure stops new starts (tasks already running finish). */
  readonly stopOnFailure: boolean;
  /** How a task is named in the error about a dependency cycle. */
  readonly name: (task: T) => string;
}

export interface GraphResult<T> {
  readonly succeeded: ReadonlySet<T>;
  readonly failed: ReadonlySet<T>;
  /** Tasks never started: a failure stopped scheduling, or a task they wait for failed. */
  readonly notStarted: ReadonlySet<T>;
}

/** Starts every task whose `waitFor` tasks have succeeded, until none is left to start. */
export async function runTaskGraph<T>(graph: TaskGraph<T>): Promise<GraphResult<T>> {
  const { tasks, run } = graph;
  const inSet = new Set(tasks);
  const prerequisites = new Map(tasks.map(t => [t, graph.waitFor(t).filter(d => inSet.has(d) && d !== t)]));
  const succeeded = new Set<T>();
  const failed = new Set<T>();
  const running = new Map<T, Promise<void>>();
  let stopped = false;

  for (;;) {
    if (!stopped) {
      for (const task of tasks) {
        if (running.has(task) || succeeded.has(task) || failed.has(task)) continue;
        if (prerequisites.get(task)!.every(d => succeeded.has(d))) {
          running.set(task, run(task).then(ok => {
            running.delete(task);
            (ok ? succeeded : failed).add(task);
            if (!ok && graph.stopOnFailure) stopped = true;
          }));
        }
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }

  const notStarted = new Set(tasks.filter(t => !succeeded.has(t) && !failed.has(t)));
  if (!stopped && failed.size === 0 && notStarted.size > 0) {
    throw new Error(`Circular dependency between resources: ${[...notStarted].map(graph.name).join(', ')}`);
  }
  return { succeeded, failed, notStarted };
}
