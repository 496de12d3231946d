// The caller's identity policies, as the emulator knows them: statement sets installed by id (one
// per AWS::IAM::Policy, or per inline policy of a role), each in effect from a moment on.
//
// - IAM is eventually consistent: "changes that you make in IAM ... take time to become visible"
//   (IAM User Guide, "Troubleshoot IAM": changes I make are not always immediately visible). A set
//   installed at t is in effect from t + `propagationMs` (or its own `effectiveAfterMs`); the figure
//   is our assumption (tests pick a few scaled seconds).
// - A removed set stops applying at once: our assumption, the stricter choice (a policy deleted
//   before the calls that need it is caught, not masked by propagation).
// - The emulator cannot tell callers apart (every SDK client it serves uses the same fake
//   credentials, and it does not read signatures). A call is allowed when one caller's policies,
//   evaluated on their own, allow it; a denial names the caller that was installed first. With one
//   caller (the usual case) that is exactly IAM's decision. Our simplification.
// - Authorization is on from the first install until `clear()`: removing every set leaves a caller
//   with no policy, which may do nothing.
import { AuthorizationRequest, checkStatements, Decision, evaluatePolicies, PolicyStatement } from './iam-policy';

/** One identity policy of the caller, as a test or the lifecycle runner installs it. */
export interface CallerPolicy {
  /** The principal denials name, e.g. `arn:aws:sts::123456789012:assumed-role/HandlerRole/onEvent`. */
  readonly callerArn: string;
  /** The policy's statements, every intrinsic already resolved to plain strings. */
  readonly statements: readonly PolicyStatement[];
  /** In effect this long after it is installed, instead of the emulator's `policyPropagationMs`. */
  readonly effectiveAfterMs?: number;
}

/** An installed policy, as `callerPolicies()` reports it. */
export interface InstalledCallerPolicy {
  readonly id: string;
  readonly callerArn: string;
  readonly statements: readonly PolicyStatement[];
  readonly installedAt: number;
  /** Emulator clock, epoch ms. */
  readonly effectiveAt: number;
}

/** The outcome for one request: allowed, or refused with whom to name and how. */
export type CallerDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly callerArn: string; readonly decision: Exclude<Decision, 'Allow'> };

export class CallerPolicies {
  /** How long after it is installed a policy takes effect, ms (our assumption; default 0). */
  public propagationMs = 0;
  private readonly installed = new Map<string, InstalledCallerPolicy>();
  private on = false;
  private firstCaller?: string;

  /** Whether calls are authorized at all. */
  public get active(): boolean {
    return this.on;
  }

  /** Installs (or replaces) the set `id`; in effect after the propagation delay. */
  public add(id: string, policy: CallerPolicy, now: number): void {
    const delay = policy.effectiveAfterMs ?? this.propagationMs;
    if (!Number.isFinite(delay) || delay < 0) throw new Error(`EksEmulator: effectiveAfterMs must be >= 0 (ms); got ${delay}`);
    if (!/^arn:aws[a-z-]*:(sts|iam)::\d{12}:.+/.test(policy.callerArn)) {
      throw new Error(`EksEmulator: callerArn must be an IAM or STS principal ARN; got '${policy.callerArn}'`);
    }
    const statements = checkStatements(policy.statements, `caller policy '${id}'.Statement`);
    this.installed.delete(id);
    this.installed.set(id, { id, callerArn: policy.callerArn, statements, installedAt: now, effectiveAt: now + delay });
    this.firstCaller ??= policy.callerArn;
    this.on = true;
  }

  /** Removes the set `id` now (no error if there is none). */
  public remove(id: string): void {
    this.installed.delete(id);
  }

  /** Removes every set and turns authorization off. */
  public clear(): void {
    this.installed.clear();
    this.on = false;
    this.firstCaller = undefined;
  }

  public list(): InstalledCallerPolicy[] {
    return [...this.installed.values()].map((p) => ({ ...p }));
  }

  /** IAM's decision for `request` at `now`, per caller (see the header). */
  public decide(request: AuthorizationRequest, now: number): CallerDecision {
    const byCaller = new Map<string, PolicyStatement[]>();
    if (this.firstCaller) byCaller.set(this.firstCaller, []);
    for (const policy of this.installed.values()) {
      const statements = byCaller.get(policy.callerArn) ?? [];
      if (policy.effectiveAt <= now) statements.push(...policy.statements);
      byCaller.set(policy.callerArn, statements);
    }
    let refusal: CallerDecision | undefined;
    for (const [callerArn, statements] of byCaller) {
      const decision = evaluatePolicies(statements, request);
      if (decision === 'Allow') return { allowed: true };
      refusal ??= { allowed: false, callerArn, decision };
    }
    return refusal ?? { allowed: false, callerArn: 'unknown', decision: 'ImplicitDeny' };
  }
}
