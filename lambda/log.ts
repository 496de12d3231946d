// Structured logs: one JSON line per decision. Only a summary of the event is ever logged --
// never the ResponseURL (a presigned URL, i.e. a credential), never the whole event or env.
import type { HandlerEvent } from './event';

export interface EventSummary {
  readonly handler: 'onEvent' | 'isComplete';
  readonly requestType: string;
  readonly logicalResourceId: string;
  readonly physicalResourceId?: string;
  readonly cluster: string;
  readonly profile: string;
}

export class DecisionLog {
  public static forEvent(handler: EventSummary['handler'], event: HandlerEvent, profile: string): DecisionLog {
    return new DecisionLog({
      handler,
      requestType: event.requestType,
      logicalResourceId: event.logicalResourceId,
      physicalResourceId: event.physicalResourceId,
      cluster: event.clusterName,
      profile,
    });
  }

  private lastInfo?: string;
  private repeats = 0;

  constructor(private readonly summary: EventSummary) {}

  /**
   * `fields`: the action taken, the status seen, the reason -- plain values only. A decision
   * identical to the previous one (polling a profile that stays CREATING) is not repeated; the
   * next different line says how many more times it recurred (`previousRepeated`).
   */
  public info(fields: Record<string, string | number | boolean | undefined>): void {
    const key = JSON.stringify(fields);
    if (key === this.lastInfo) {
      this.repeats++;
      return;
    }
    const repeated = this.repeats > 0 ? { previousRepeated: this.repeats } : {};
    this.lastInfo = key;
    this.repeats = 0;
    console.log(JSON.stringify({ level: 'INFO', ...this.summary, ...fields, ...repeated }));
  }

  public error(fields: Record<string, string | number | boolean | undefined>): void {
    console.error(JSON.stringify({ level: 'ERROR', ...this.summary, ...fields }));
  }
}

/** For failures before the event could be parsed: names what arrived without echoing it. */
export function logRejectedEvent(handler: EventSummary['handler'], raw: unknown, reason: string): void {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : undefined);
  console.error(JSON.stringify({
    level: 'ERROR',
    handler,
    requestType: str(r.RequestType),
    logicalResourceId: str(r.LogicalResourceId),
    physicalResourceId: str(r.PhysicalResourceId),
    action: 'REJECT_EVENT',
    reason,
  }));
}
