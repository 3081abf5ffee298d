import type { WitnessingStatus } from '../../app/views';

/** The sentence for the observer's last statement, `when` already in words. */
export function witnessingSentence(w: WitnessingStatus, when: string): string {
  switch (w.state) {
    case 'witnessed':
      return `Witnessed: this console signed and sent a statement of the histories its last fetch brought (${when}).`;
    case 'witnessed-unsigned':
      return `Witnessed, unsigned: this console sent a statement of the histories its last fetch brought (${when}). Without a roster it names this host's account and no key proves it.`;
    case 'no-signer':
      return `Not witnessed (${when}): this console has no key to sign a statement of what it fetched. Register this host's key in the roster, or load a roster person's key that signs without a touch into ssh-agent.`;
    case 'failed':
      return `Not witnessed (${when}): the statement of what the last fetch brought could not be committed: ${w.reason ?? 'unknown reason'}`;
  }
}
