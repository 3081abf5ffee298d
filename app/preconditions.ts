import type { PushStatus } from './views';

/**
 * The "Shared remote" precondition (procedure.md §3.4, issue 12 item 2): the remote is optional
 * (offline recovery), so it is a pass or a warning, never a blocker; it names the remote and
 * where its push stands, so the wizard no longer says "No remote configured" on a host that has one.
 */
export function remotePrecondition(push: PushStatus): { status: 'pass' | 'warn'; detail: string } {
  switch (push.state) {
    case 'local-only':
      return { status: 'warn', detail: 'No remote configured: evidence stays on this host until one is set (breakglass remote set URL).' };
    case 'synced':
      return { status: 'pass', detail: `${push.remote}: synced${push.lastPushAt ? ` (last push ${push.lastPushAt})` : ''}.` };
    case 'pending':
      return { status: 'pass', detail: `${push.remote}: ${push.pending} record(s) pending push; they go out in the background.` };
    case 'offline':
      return { status: 'warn', detail: `${push.remote}: offline since ${push.since} (${push.reason}); ${push.pending} record(s) pending. Evidence is committed here and pushed when the remote is back.` };
    case 'rejected':
      return { status: 'warn', detail: `${push.remote}: the remote refuses our pushes since ${push.since} (${push.reason}); ${push.pending} record(s) pending. Evidence is committed here; fix the remote's access.` };
  }
}
