import type { PushStatus } from './views';

/** Issue 16: what a history behind the remote's confirmed commit means, in one sentence (header, CLI, wizard). */
export function behindSentence(push: Extract<PushStatus, { state: 'behind' }>): string {
  return `this host's history no longer holds ${push.missing} record(s) the remote confirmed (commit ${push.confirmed.slice(0, 12)}): they were removed here after the push, or an older copy was restored. Run breakglass verify --online.`;
}
