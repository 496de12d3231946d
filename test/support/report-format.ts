// Human-readable rendering of lifecycle runner reports: each resource's transitions
// with their times, for the local deploy.
import { OperationReport } from './operation-report';

export interface FormatOptions {
  /** Multiply measured times by this to show what they correspond to without scaling. @default 1 */
  readonly realTimeFactor?: number;
  /** Show only events of these resource types. @default every type */
  readonly types?: readonly string[];
}

/** The events of one stack operation as a table, then per-resource durations. */
export function formatReport(title: string, report: OperationReport, options: FormatOptions = {}): string {
  const factor = options.realTimeFactor ?? 1;
  const shown = report.events.filter(e => !options.types || options.types.includes(e.resourceType));
  const hidden = report.events.length - shown.length;
  const lines: string[] = [];
  lines.push(`== ${title}: ${report.operation} -> ${report.stackStatus} in ${time(report.durationMs, factor)}`);
  if (report.failureReason) lines.push(`   failure: ${report.failureReason.trim()}`);
  lines.push(`   ${'at'.padEnd(22)} ${'phase'.padEnd(16)} ${'resource'.padEnd(34)} ${'status'.padEnd(20)} physical id / reason`);
  for (const e of shown) {
    const detail = e.reason ? `${e.physicalId ?? ''} ${e.reason.split('\n')[0]}`.trim() : e.physicalId ?? '';
    lines.push(`   ${time(e.atMs, factor).padEnd(22)} ${e.phase.padEnd(16)} ${e.logicalId.padEnd(34)} ${e.status.padEnd(20)} ${detail}`);
  }
  if (hidden > 0) lines.push(`   (+ ${hidden} events of non-profile resources, which the runner creates instantly)`);
  const calls = report.calls;
  if (calls.length > 0) {
    lines.push('   provider requests:');
    for (const c of calls) {
      lines.push(`     ${c.request.RequestType.padEnd(7)} ${c.request.LogicalResourceId.padEnd(34)} ${c.phase.padEnd(16)} `
        + `${c.response.Status.padEnd(8)} took ${time(c.endMs - c.startMs, factor).padEnd(22)} `
        + `onEvent x${c.response.onEventCalls}, isComplete x${c.response.isCompleteCalls}`);
    }
  }
  return lines.join('\n');
}

/** Milliseconds as seconds, plus the unscaled equivalent when a factor is given. */
function time(ms: number, factor: number): string {
  const scaled = `${(ms / 1000).toFixed(2)}s`;
  return factor === 1 ? scaled : `${scaled} (~${humanDuration(ms * factor)})`;
}

function humanDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
