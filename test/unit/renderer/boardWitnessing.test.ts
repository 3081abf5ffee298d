import { describe, expect, it } from 'vitest';
import { witnessingSentence } from '../../../renderer/board/witnessingText';

// Issue 16: the board's fetch state tells the commander whether their console witnessed the fetch.
describe("the board's witnessing line", () => {
  const at = '2026-12-04T04:00:00.000Z';
  it('says a statement was signed and sent, or plainly that nothing was witnessed and what to do', () => {
    expect(witnessingSentence({ state: 'witnessed', at, reason: null }, '1 minute ago')).toBe('Witnessed: this console signed and sent a statement of the histories its last fetch brought (1 minute ago).');
    expect(witnessingSentence({ state: 'witnessed-unsigned', at, reason: null }, 'just now')).toContain('Witnessed, unsigned: ');
    expect(witnessingSentence({ state: 'no-signer', at, reason: null }, 'just now')).toMatch(/^Not witnessed \(just now\): this console has no key to sign .*Register this host's key in the roster, or load a roster person's key that signs without a touch into ssh-agent\.$/);
    expect(witnessingSentence({ state: 'failed', at, reason: 'The evidence repository is locked.' }, 'just now')).toBe('Not witnessed (just now): the statement of what the last fetch brought could not be committed: The evidence repository is locked.');
  });
});
