import { ackEventWord, formatCode } from './acknowledgement/codes';
import { actionOutcome, commandWords } from './actionText';
import type { EvidenceRecord } from './records';

/** One line a person can scan in a timeline. */
export function summarise(r: EvidenceRecord): string {
  switch (r.type) {
    case 'declared':
      return `Declared ${r.payload.declaration.incidentId} in ${r.payload.declaration.environment} (${r.payload.declaration.scopes.join(', ')}) until ${r.payload.expiresAt}`;
    case 'action':
      if (r.payload.kind === 'shell-opened') return `Opened governed shell (${commandWords(r.payload.argv)})`;
      return `Ran ${commandWords(r.payload.argv)} → ${actionOutcome(r.payload, 'summary')}`;
    case 'action-started':
      return `Started ${commandWords(r.payload.argv)}`;
    case 'note':
      return r.payload.text.length > 140 ? `${r.payload.text.slice(0, 139)}…` : r.payload.text;
    case 'extended':
      return `Extended by ${r.payload.minutes} min to ${r.payload.newExpiresAt}: ${r.payload.reason}`;
    case 'expired':
      return `Expired at ${r.payload.expiresAt}`;
    case 'closed':
      return `Closed: ${r.payload.closure.summary}`;
    case 'reviewed':
      return `Reviewed by ${r.payload.review.reviewer.name}: ${r.payload.review.outcome}${r.payload.review.supersedes ? ' (supersedes an earlier review)' : ''}`;
    case 'lock-recovered':
      return `Writer lock recovered: ${r.payload.reason}`;
    case 'clock-skew': {
      const e = r.payload.elapsed;
      const s = (ms: number) => `${ms >= 0 ? '+' : ''}${Math.round(ms / 1000)} s`;
      // Issue 16: what was proven, the wall clock's elapsed time against the boot clock's.
      if (e) return `Wall clock jumped ${Math.round(r.payload.skewMs / 1000)} s against the boot clock (since record #${e.sinceSeq}: wall clock ${s(e.wallMs)}, boot clock ${s(e.bootMs)})`;
      return `Wall clock jumped ${Math.round(r.payload.skewMs / 1000)} s`;
    }
    case 'policy-adopted':
      return r.payload.reason;
    case 'forwarding-state':
      return r.payload.state === 'behind'
        ? `Forwarding behind: ${r.payload.destinations.map((d) => `${d.id} (${d.pending} pending${d.failingSince ? `, failing since ${d.failingSince}` : ''})`).join(', ')}`
        : `Forwarding caught up${r.payload.destinations.length ? `: ${r.payload.destinations.map((d) => d.id).join(', ')}` : ''}`;
    case 'recording-started':
      return `Governed shell opened (${r.payload.shell}, ${r.payload.via === 'console' ? 'console terminal' : 'breakglass shell'}), recorded`;
    case 'recording-chunk':
      return `Recording chunk ${r.payload.seq} (${r.payload.endOffset - r.payload.startOffset} bytes)`;
    case 'recording-degraded':
      return `Recording degraded: chunks could not be committed from ${r.payload.since}${r.payload.until ? ` to ${r.payload.until}` : ''}`;
    case 'recording-ended':
      return `Governed shell ended (${r.payload.how}) after ${r.payload.chunks} chunks`;
    case 'acknowledgement':
      return `The incident commander acknowledged the ${ackEventWord(r.payload.event)} ${formatCode(r.payload.challenge)}; response ${formatCode(r.payload.response)}`;
    case 'witnessed':
      return `Witnessed ${r.payload.tips.length === 1 ? 'one host history' : `${r.payload.tips.length} host histories`} (${r.payload.tips.map((t) => `${t.host} at ${t.commit.slice(0, 12)}, ${t.records} records`).join('; ')})${r.payload.via === 'fetch' ? ' after a fetch' : ''}`;
    case 'acknowledged':
      return `Commander's response ${formatCode(r.payload.response)} to the ${ackEventWord(r.payload.event)} code ${formatCode(r.payload.challenge)} recorded`;
  }
}
