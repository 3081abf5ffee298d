import type { RecordOf } from './records';

/** The parts of an action record that say how it ended. */
export type ActionEnding = Pick<RecordOf<'action'>['payload'], 'kind' | 'stoppedBy' | 'exitCode' | 'signal'>;

/**
 * Who reads the outcome: `operator`, the operator's own window ("Stopped by you"); `record`, a
 * page about the session ("Stopped by the operator"); `summary`, a line of a timeline or a report
 * ("stopped by operator", lower case inside a sentence).
 */
export type OutcomeVoice = 'operator' | 'record' | 'summary';

const WORDS: Record<OutcomeVoice, { shell: string; expiry: string; operator: string; signal: string; exit: string }> = {
  operator: { shell: 'Shell opened', expiry: 'Stopped at expiry', operator: 'Stopped by you', signal: 'Ended by', exit: 'Exit' },
  record: { shell: 'Shell opened', expiry: 'Stopped at the session\u2019s expiry', operator: 'Stopped by the operator', signal: 'Ended by', exit: 'Exit' },
  summary: { shell: 'governed shell opened', expiry: 'stopped by expiry', operator: 'stopped by operator', signal: 'ended by', exit: 'exit' },
};

/** How an action ended, in one order of cases for every reader: a shell opened, stopped (by the expiry or the operator), ended by a signal, or its exit status. */
export function actionOutcome(p: ActionEnding, voice: OutcomeVoice): string {
  const w = WORDS[voice];
  if (p.kind === 'shell-opened') return w.shell;
  if (p.stoppedBy === 'expiry') return w.expiry;
  if (p.stoppedBy === 'operator') return w.operator;
  if (p.exitCode === null) return `${w.signal} ${p.signal ?? 'a signal'}`;
  return `${w.exit} ${p.exitCode}`;
}

/** argv as a person would type it: words with blanks, quotes or shell characters in single quotes (an empty word as ''). */
export function commandLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** argv's words with blanks between, unquoted: how a sentence or a heading names what ran ("Ran echo released state-lock"). */
export function commandWords(argv: readonly string[]): string {
  return argv.join(' ');
}
