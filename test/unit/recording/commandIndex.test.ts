import { describe, expect, it } from 'vitest';
import { asciicastLine, type AsciicastEvent } from '../../../app/recording/asciicast';
import { COMMAND_INDEX_LABEL, indexCommands, unescapeProperty } from '../../../app/recording/commandIndex';
import { renderTranscript } from '../../../app/recording/transcript';

const NONCE = 'a1b2c3d4e5f60718';
const osc = (body: string) => `\u001b]${body}\u0007`;
const A = osc(`133;A;bg=${NONCE}`);
const B = osc(`133;B;bg=${NONCE}`);
const C = osc(`133;C;bg=${NONCE}`);
const D = (status: number) => osc(`133;D;${status};bg=${NONCE}`);
const E = (line: string) => osc(`633;E;${line};${NONCE}`);

function cast(events: AsciicastEvent[], cols = 80, rows = 24): string {
  return asciicastLine({ version: 2, width: cols, height: rows, timestamp: 1 }) + events.map(asciicastLine).join('');
}

describe('command index', () => {
  it('lists each command with its start, end, exit status and what the terminal showed', async () => {
    const text = cast([
      [0.1, 'o', `${A}$ ${B}`],
      [0.5, 'o', 'ls /tmp\r\n'],
      [0.6, 'o', `${E('ls /tmp')}${C}a b c\r\n`],
      [0.7, 'o', `${D(0)}${A}$ ${B}`],
      [1.0, 'o', 'false\r\n'],
      [1.1, 'o', `${E('false')}${C}`],
      [1.2, 'o', `${D(1)}${A}$ ${B}`],
    ]);
    const index = await indexCommands(text, { nonce: NONCE });
    expect(index.label).toBe(COMMAND_INDEX_LABEL);
    expect(index.commands).toEqual([
      { commandLine: 'ls /tmp', shown: 'ls /tmp', promptAt: 0.1, startedAt: 0.6, endedAt: 0.7, exitStatus: 0, problems: [] },
      { commandLine: 'false', shown: 'false', promptAt: 0.7, startedAt: 1.1, endedAt: 1.2, exitStatus: 1, problems: [] },
    ]);
  });

  it('flags a finish without a start, a claimed line the terminal never showed, and a command that never finished', async () => {
    const text = cast([
      [0, 'o', `${A}$ ${B}`],
      [0.2, 'o', `${D(0)}${A}$ ${B}`],
      [0.5, 'o', 'rm -rf /srv/data\r\n'],
      [0.6, 'o', `${E('ls')}${C}`],
      [0.7, 'o', `${D(0)}${A}$ ${B}sleep 600\r\n${E('sleep 600')}${C}`],
    ]);
    const index = await indexCommands(text, { nonce: NONCE });
    expect(index.commands.map((c) => [c.commandLine, c.problems])).toEqual([
      [null, ['finished-without-start']],
      ['ls', ['command-line-not-shown']],
      ['sleep 600', ['never-finished']],
    ]);
    expect(index.commands[1]!.shown).toBe('rm -rf /srv/data');
  });

  it('ignores marks without the session nonce (printed by a program, e.g. cat of a crafted file)', async () => {
    const forged = osc('133;D;0;bg=0000000000000000') + osc('633;E;innocent;0000000000000000');
    const text = cast([
      [0, 'o', `${A}$ ${B}`],
      [0.5, 'o', `cat notes\r\n${E('cat notes')}${C}${forged}text\r\n`],
      [0.6, 'o', `${D(0)}${A}$ ${B}`],
    ]);
    const index = await indexCommands(text, { nonce: NONCE });
    expect(index.ignoredMarks).toBe(2);
    expect(index.commands).toHaveLength(1);
    expect(index.commands[0]).toMatchObject({ commandLine: 'cat notes', exitStatus: 0, problems: [] });
  });

  it('checks a command line that wrapped over several terminal lines', async () => {
    const long = `echo ${'x'.repeat(60)}`;
    const text = cast([[0, 'o', `${A}prompt-with-some-width $ ${B}`], [0.5, 'o', `${long}\r\n${E(long)}${C}`], [0.6, 'o', `${D(0)}${A}$ ${B}`]], 40, 10);
    const index = await indexCommands(text, { nonce: NONCE });
    expect(index.commands[0]).toMatchObject({ commandLine: long, shown: long, problems: [] });
  });

  it('reads VS Code escaping in the command line', () => {
    expect(unescapeProperty('echo a\\x3bb \\\\ c\\x0a')).toBe('echo a;b \\ c\n');
  });
});

describe('transcript', () => {
  it('renders what the terminal showed: colours gone, overwrites applied, resizes and wraps followed', async () => {
    const text = cast([
      [0, 'o', '\u001b[31mred\u001b[0m plain\r\n'],
      [0.1, 'o', 'progress 10%\rprogress 100%\r\n'],
      [0.2, 'r', '20x5'],
      [0.3, 'o', `${'w'.repeat(30)}\r\n`],
      [0.4, 'm', 'a marker'],
      [0.5, 'x', '0'],
    ]);
    expect(await renderTranscript(text)).toBe(`red plain\nprogress 100%\n${'w'.repeat(30)}`);
  });

  it('keeps scrollback beyond one screen', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    const text = cast([[0, 'o', lines.join('\r\n')]], 80, 5);
    expect(await renderTranscript(text)).toBe(lines.join('\n'));
  });

  it('refuses a file that is not asciicast v2', async () => {
    await expect(renderTranscript('{"version":3}\n')).rejects.toThrow('line 1');
    await expect(renderTranscript(`${asciicastLine({ version: 2, width: 80, height: 24, timestamp: 1 })}[1,"i","typed"]\n`)).rejects.toThrow('line 2');
  });
});
