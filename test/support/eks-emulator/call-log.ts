// The call log: every HTTP request the emulator answered, failed or not, in order.
import type { CallFilter, CallRecord } from './types';

export class CallLog {
  private readonly entries: CallRecord[] = [];

  /** Every call so far, oldest first. */
  public get all(): readonly CallRecord[] {
    return this.entries;
  }

  public record(call: CallRecord): void {
    this.entries.push(call);
  }

  public count(filter: CallFilter = {}): number {
    return this.entries.filter((call) => matches(call, filter)).length;
  }

  /** Calls per operation per profile name ('-' for calls without a profile). */
  public counters(): Record<string, Record<string, number>> {
    const result: Record<string, Record<string, number>> = {};
    for (const call of this.entries) {
      const perProfile = (result[call.operation] ??= {});
      const key = call.profile ?? '-';
      perProfile[key] = (perProfile[key] ?? 0) + 1;
    }
    return result;
  }

  public clear(): void {
    this.entries.length = 0;
  }
}

function matches(call: CallRecord, filter: CallFilter): boolean {
  return (filter.operation === undefined || call.operation === filter.operation)
    && (filter.cluster === undefined || call.cluster === filter.cluster)
    && (filter.profile === undefined || call.profile === filter.profile)
    && (filter.outcome === undefined || call.outcome === filter.outcome);
}
