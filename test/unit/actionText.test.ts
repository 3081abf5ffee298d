import { describe, expect, it } from 'vitest';
import { actionOutcome, commandLine, commandWords, type ActionEnding } from '../../app/actionText';
import { summarise } from '../../app/summary';
import type { EvidenceRecord } from '../../app/records';

const ended = (over: Partial<ActionEnding>): ActionEnding => ({ kind: 'command', stoppedBy: null, exitCode: 0, signal: null, ...over });

describe('how an action ended and what ran (app/actionText.ts)', () => {
  it('says the outcome in each reader\u2019s words, in one order of cases', () => {
    const cases: Array<[Partial<ActionEnding>, string, string, string]> = [
      [{ kind: 'shell-opened' }, 'Shell opened', 'Shell opened', 'governed shell opened'],
      [{ stoppedBy: 'expiry', exitCode: null, signal: 'SIGTERM' }, 'Stopped at expiry', 'Stopped at the session\u2019s expiry', 'stopped by expiry'],
      [{ stoppedBy: 'operator', exitCode: null }, 'Stopped by you', 'Stopped by the operator', 'stopped by operator'],
      [{ exitCode: null, signal: 'SIGKILL' }, 'Ended by SIGKILL', 'Ended by SIGKILL', 'ended by SIGKILL'],
      [{ exitCode: null }, 'Ended by a signal', 'Ended by a signal', 'ended by a signal'],
      [{ exitCode: 7 }, 'Exit 7', 'Exit 7', 'exit 7'],
    ];
    for (const [over, operator, record, summary] of cases) {
      expect([actionOutcome(ended(over), 'operator'), actionOutcome(ended(over), 'record'), actionOutcome(ended(over), 'summary')]).toEqual([operator, record, summary]);
    }
  });

  it('writes argv as a person would type it, quoting only what needs it', () => {
    expect(commandLine(['terraform', 'force-unlock', '7f3c'])).toBe('terraform force-unlock 7f3c');
    expect(commandLine(['sh', '-c', 'echo out; exit 7'])).toBe(`sh -c 'echo out; exit 7'`);
    expect(commandLine(["it's", '', 'a=b,c:d/e@f%g+h.i'])).toBe(`'it'\\''s' '' a=b,c:d/e@f%g+h.i`);
    expect(commandWords(['echo', 'released state-lock 7f3c'])).toBe('echo released state-lock 7f3c');
  });

  it('is what the timeline\u2019s summary line says', () => {
    const record = { type: 'action', payload: { kind: 'command', argv: ['echo', 'unlocked'], stoppedBy: null, exitCode: 0, signal: null } } as unknown as EvidenceRecord;
    expect(summarise(record)).toBe('Ran echo unlocked → exit 0');
  });
});
