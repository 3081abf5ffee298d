import type { TimelineEntry } from '../../app/views';
import { pushState } from './records';

/** The first characters of a commit id, enough to find it with `git show`. */
export function shortCommit(commit: string): string {
  return commit.slice(0, 10);
}

/**
 * An evidence commit. Whole (the default): the first characters are what fits, the whole id is
 * the text (so selecting it, one click, copies all of it) and the title. Short: the first
 * characters, the whole id in the title (a line that names it in passing).
 */
export function CommitId({ commit, short = false }: { commit: string; short?: boolean }) {
  if (short) return <code title={commit}>{shortCommit(commit)}</code>;
  return (
    <code className="sp-commit" title={commit} data-commit={commit}>
      {commit}
    </code>
  );
}

/** Whether a record reached the remote, as its badge says it. */
export function PushBadge({ pushed }: { pushed: TimelineEntry['pushed'] }) {
  const { kind, label } = pushState(pushed);
  return <span className={`sp-badge sp-badge--${kind}`}>{label}</span>;
}
