import type { Terminal as HeadlessTerminal } from '@xterm/headless';
import { parseAsciicast } from './asciicast';
import { cursorOf, replay, textBetween, type BufferPosition, type OscEvent } from './replay';

// The command index of a recorded shell (issue 17, "A command index"). The shell integration
// (main/process/shell-integration/) makes bash and zsh print FinalTerm's OSC 133 marks — A prompt
// start, B command start (end of the prompt), C command executed, D;status finished — and the
// command line as VS Code's OSC 633;E property. Those marks are printed by the shell itself, so
// anything running in it could print them too: each one carries the session's nonce, marks
// without it are not used, and what is left is checked against what the terminal showed. The
// result is labelled as the shell's own claim, never as a fact established by the product.

/** What the index is: marks the shell printed, checked against the recording but not proven. */
export const COMMAND_INDEX_LABEL = "the shell's own claim";

/** Something about a command's marks that does not add up. */
export type CommandProblem =
  /** a D (finished) mark with no C (executed) before it */
  | 'finished-without-start'
  /** a C with no D before the next prompt or the end of the recording (killed, or the shell lied) */
  | 'never-finished'
  /** a C with no B (end of prompt) before it: the typed line cannot be checked */
  | 'no-command-start'
  /** the claimed command line is not what the terminal showed between B and C */
  | 'command-line-not-shown';

/** One command as the shell integration describes it; times are recording seconds. */
export interface IndexedCommand {
  /** The command line the shell claims (OSC 633;E), or null when it sent none. */
  commandLine: string | null;
  /** What the terminal showed between the end of the prompt and the command's execution. */
  shown: string;
  promptAt: number | null;
  startedAt: number | null;
  endedAt: number | null;
  exitStatus: number | null;
  problems: CommandProblem[];
}

/** The command index of one recording. */
export interface CommandIndex {
  label: typeof COMMAND_INDEX_LABEL;
  commands: IndexedCommand[];
  /** Marks that did not carry the session's nonce (printed by something else): not used. */
  ignoredMarks: number;
}

/** Undoes VS Code's OSC 633 escaping: `\\` for a backslash, `\xNN` for `;` and control characters. */
export function unescapeProperty(value: string): string {
  return value.replace(/\\(\\|x([0-9a-fA-F]{2}))/g, (_, what: string, hex: string | undefined) => (hex ? String.fromCharCode(parseInt(hex, 16)) : what));
}

interface Mark {
  kind: 'A' | 'B' | 'C' | 'D' | 'E';
  time: number;
  cursor: BufferPosition;
  status: number | null;
  commandLine: string | null;
  nonce: string | null;
}

function parseMark(event: OscEvent): Mark | null {
  const parts = event.data.split(';');
  const kind = parts[0];
  const base = { time: event.time, cursor: event.cursor, status: null, commandLine: null };
  if (event.ident === 633) {
    // 633;E;<escaped command line>;<nonce>
    if (kind !== 'E' || parts.length < 2) return null;
    return { ...base, kind: 'E', commandLine: unescapeProperty(parts[1]!), nonce: parts[2] ?? null };
  }
  if (kind !== 'A' && kind !== 'B' && kind !== 'C' && kind !== 'D') return null;
  const props = parts.slice(1);
  const nonce = props.find((p) => p.startsWith('bg='))?.slice(3) ?? null;
  const statusText = kind === 'D' ? props.find((p) => !p.includes('=')) : undefined;
  const status = statusText !== undefined && /^\d{1,3}$/.test(statusText) ? Number(statusText) : null;
  return { ...base, kind, status, nonce };
}

/** Whether every line of the claimed command line is among what the terminal showed. */
function claimShown(claim: string, shown: string): boolean {
  const flat = shown.replace(/\s+/g, ' ');
  return claim.split('\n').every((line) => flat.includes(line.trim().replace(/\s+/g, ' ')));
}

/**
 * Builds the command index from a recording. With `nonce` (the session's), only marks carrying it
 * count; without, every mark does.
 */
export async function indexCommands(asciicastText: string, options: { nonce?: string } = {}): Promise<CommandIndex> {
  const commands: IndexedCommand[] = [];
  let ignoredMarks = 0;
  let promptAt: number | null = null;
  let commandStart: { cursor: BufferPosition } | null = null;
  let claim: string | null = null;
  let open: IndexedCommand | null = null;

  const closeOpen = () => {
    if (!open) return;
    open.problems.push('never-finished');
    commands.push(open);
    open = null;
  };
  const onMark = (mark: Mark, terminal: HeadlessTerminal) => {
    switch (mark.kind) {
      case 'A':
        closeOpen();
        promptAt = mark.time;
        commandStart = null;
        claim = null;
        return;
      case 'B':
        commandStart = { cursor: mark.cursor };
        return;
      case 'E':
        claim = mark.commandLine;
        return;
      case 'C': {
        closeOpen();
        // Read now: later output (clear, a full screen) can overwrite these lines.
        const shown = commandStart ? textBetween(terminal, commandStart.cursor, cursorOf(terminal)).trim() : '';
        const problems: CommandProblem[] = [];
        if (!commandStart) problems.push('no-command-start');
        else if (claim !== null && !claimShown(claim, shown)) problems.push('command-line-not-shown');
        open = { commandLine: claim, shown, promptAt, startedAt: mark.time, endedAt: null, exitStatus: null, problems };
        commandStart = null;
        claim = null;
        return;
      }
      case 'D':
        if (open) {
          open.endedAt = mark.time;
          open.exitStatus = mark.status;
          commands.push(open);
          open = null;
        } else {
          commands.push({ commandLine: null, shown: '', promptAt, startedAt: null, endedAt: mark.time, exitStatus: mark.status, problems: ['finished-without-start'] });
        }
        return;
    }
  };

  const terminal = await replay(parseAsciicast(asciicastText), {
    osc: [133, 633],
    onOsc: (event, t) => {
      const mark = parseMark(event);
      if (!mark) return;
      if (options.nonce !== undefined && mark.nonce !== options.nonce) {
        ignoredMarks++;
        return;
      }
      onMark(mark, t);
    },
  });
  terminal.dispose();
  closeOpen();
  return { label: COMMAND_INDEX_LABEL, commands, ignoredMarks };
}
