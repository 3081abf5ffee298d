import { useId, useState } from 'react';
import { actionOutcome, commandLine, commandWords } from '../../app/actionText';
import type { RecordOf } from '../../app/records';
import type { TimelineEntry } from '../../app/views';
import { formatCount, formatNumber } from '../format';
import { CommitId } from './CommitId';
import { formatDuration, recordsOf } from './records';
import { Stamp } from './Stamp';
import { Fact } from './Fact';
import './evidence.css';
import './evidenceActions.css';

/** Outputs longer than this are shown collapsed to their first lines, with a button for the rest. */
const COLLAPSED_LINES = 12;
const COLLAPSED_CHARS = 1500;

/**
 * What the operator ran under the session, with its output as committed (secrets already
 * redacted). `flagged`: the actions that named a scope the declaration did not (the review form's
 * scope comparison), marked in words beside their heading.
 */
export function ActionsSection({ timeline, flagged }: { timeline: readonly TimelineEntry[]; flagged?: ReadonlySet<number> }) {
  const actions = recordsOf(timeline, 'action');
  return (
    <section className="card sp-section" aria-labelledby="sp-actions-h">
      <h3 id="sp-actions-h">Actions ({formatNumber(actions.length)})</h3>
      {actions.length === 0 ? (
        <p className="empty">No command was run and no governed shell was opened in this session.</p>
      ) : (
        <>
          <p className="sp-hint">Output as committed: secrets were redacted before anything was written; the SHA-256 is of the output as the command wrote it.</p>
          <ol className="stack bare-list sp-actions">
            {actions.map(({ entry, record }) => (
              <li key={entry.seq}>
                <ActionRecord entry={entry} record={record} flagged={flagged?.has(entry.seq) ?? false} />
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

/** One action record: what ran, how it ended, where, by whom, its evidence commit and its output. */
export function ActionRecord({ entry, record, flagged = false }: { entry: TimelineEntry; record: RecordOf<'action'>; flagged?: boolean }) {
  const id = useId();
  const p = record.payload;
  const failed = p.kind === 'command' && (p.exitCode !== 0 || p.stoppedBy !== null);
  return (
    <article className={`box stack sp-action${flagged ? ' sp-action--flagged' : ''}`} aria-labelledby={`${id}-h`} data-seq={entry.seq}>
      {/* The heading names what ran in words, so a list of the headings says it; the exact command line is under it. */}
      <h4 id={`${id}-h`}>
        <span className="sp-seq-tag">#{entry.seq}</span> {p.kind === 'shell-opened' ? 'Opened a governed shell:' : 'Ran'} <span className="sp-action-words">{commandWords(p.argv)}</span>
        <span className={`sp-exit ${failed ? 'sp-exit--failed' : ''}`}>{actionOutcome(p, 'record')}</span>
        {flagged && <span className="sp-flag">Named an undeclared scope</span>}
      </h4>
      <pre className="sp-command" aria-label="Command line">
        {commandLine(p.argv)}
      </pre>
      <dl className="sp-action-facts">
        <Fact term="Started">
          <Stamp iso={p.startedAt} timeOnly />
        </Fact>
        <Fact term="Duration">{formatDuration(Date.parse(p.endedAt) - Date.parse(p.startedAt))}</Fact>
        <Fact term="Working folder" className="mono break">{p.cwd}</Fact>
        <Fact term="Via">
          {p.via === 'cli-exec' ? 'breakglass exec' : 'the console'}
          {p.shell ? ', through a shell' : ''}
        </Fact>
        <Fact term="By, on host">
          {record.actor.name} <span className="muted">on {record.host.name}</span>
        </Fact>
        <Fact term="Evidence commit">
          <CommitId commit={entry.commit} />
        </Fact>
      </dl>
      {p.kind === 'command' && <ActionOutput record={record} />}
    </article>
  );
}

function ActionOutput({ record }: { record: RecordOf<'action'> }) {
  const id = useId();
  const p = record.payload;
  const lines = p.output.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const long = lines.length > COLLAPSED_LINES || p.output.length > COLLAPSED_CHARS;
  const [expanded, setExpanded] = useState(false);
  const shown = long && !expanded ? lines.slice(0, COLLAPSED_LINES).join('\n').slice(0, COLLAPSED_CHARS) : p.output;
  return (
    <div className="sp-output">
      <p className="sp-output-meta">
        <span>Output: {formatCount(p.outputBytes, 'byte')} written by the command</span>
        {record.redactions > 0 && <span className="sp-redacted">{formatCount(record.redactions, 'secret')} redacted</span>}
        {p.outputTruncated && <span className="sp-truncated">Truncated: only the start of the output was kept in the record</span>}
      </p>
      {p.output.length === 0 ? (
        <p className="muted">No output.</p>
      ) : (
        <>
          {/* Focusable so a keyboard user can scroll it. */}
          <pre id={`${id}-out`} className={`code-block sp-output-text${long && expanded ? ' sp-output-text--expanded' : ''}`} tabIndex={0} aria-label={`Output of record #${record.seq}`}>
            {shown}
            {long && !expanded && '\n…'}
          </pre>
          {long && (
            <button type="button" className="button button-secondary sp-expand" aria-expanded={expanded} aria-controls={`${id}-out`} onClick={() => setExpanded((x) => !x)}>
              {expanded ? 'Show less' : `Show all ${formatCount(lines.length, 'line')}`}
            </button>
          )}
        </>
      )}
      <p className="sp-sha">
        {/* Issue 13: an HMAC under the host's key (records before it carry a plain SHA-256). */}
        {p.outputHmac ? (
          <>Output HMAC-SHA-256 (key {p.outputHmac.keyId.slice(0, 12)}) <code className="sp-hash">{p.outputHmac.value}</code></>
        ) : (
          <>Output SHA-256 <code className="sp-hash">{p.outputSha256}</code></>
        )}
      </p>
    </div>
  );
}
