import { describe, expect, it } from 'vitest';
import { splitArgv } from '../../../renderer/session/argv';
import { formatSkew, skewSeconds } from '../../../renderer/session/clockSkew';
import { extensionRoom, formatMinutes } from '../../../renderer/session/extension';
import { OUTPUT_VIEW_CHARS, plainOutput } from '../../../renderer/session/store';
import { commandLine } from '../../../app/actionText';

describe('the active session view\u2019s pure parts (renderer/session/)', () => {
  it('splits a terminal command as a shell would, and refuses a quote left open', () => {
    expect(splitArgv(`sh -c 'echo "$A" > f'`)).toEqual(['sh', '-c', 'echo "$A" > f']);
    expect(splitArgv(`a "b c" d\\ e ''`)).toEqual(['a', 'b c', 'd e', '']);
    expect(splitArgv(`"say \\"hi\\""`)).toEqual(['say "hi"']);
    expect(splitArgv('   ')).toEqual([]);
    expect(splitArgv(`echo 'open`)).toBeNull();
    // What is split and written back again is the same argv.
    for (const argv of [['xterm', '-e', 'bash -l'], ["it's", ''], ['a$b', 'c|d']]) expect(splitArgv(commandLine(argv))).toEqual(argv);
  });

  it('says a wall-clock jump\u2019s size and reads its sign from the record\u2019s summary', () => {
    expect(formatSkew(-300)).toBe('5 min');
    expect(formatSkew(330)).toBe('5 min 30 s');
    expect(formatSkew(45)).toBe('45 s');
    expect(formatSkew(7260)).toBe('2 h 1 min');
    expect(skewSeconds({ summary: 'Wall clock jumped -300 s' })).toBe(-300);
    expect(skewSeconds({ summary: 'no figure' })).toBeNull();
  });

  it('shows what the policy still allows an extension', () => {
    const session = { declaredAt: '2026-11-28T09:00:00.000Z', expiresAt: '2026-11-28T09:50:00.000Z', extensions: 1 };
    expect(extensionRoom(session, { stepMinutes: 20, maxCount: 2, maxTotalMinutes: 65 })).toEqual({ countLeft: 1, underCap: 15, maxNow: 15, usedMinutes: 50 });
    expect(extensionRoom({ ...session, extensions: 3 }, { stepMinutes: 20, maxCount: 2, maxTotalMinutes: 30 })).toMatchObject({ countLeft: 0, underCap: 0, maxNow: 0 });
    expect(formatMinutes(65)).toBe('1 h 5 min');
    expect(formatMinutes(120)).toBe('2 h');
    expect(formatMinutes(20)).toBe('20 min');
  });

  it('strips terminal control sequences from live output', () => {
    expect(plainOutput('\u001b[31mred\u001b[0m plain \u001b]0;title\u0007done')).toBe('red plain done');
    expect(OUTPUT_VIEW_CHARS).toBe(256 * 1024);
  });
});
