import { BreakGlassError } from '../../app/errors';
import { RosterCreatedSchema, RosterStatusSchema, type CallInput, type CallOutput, type RosterStatus } from '../../app/contract';
import type { Application } from '../application/application';
import { approvalsRequired } from '../../app/roster/governance';
import { createRoster } from '../evidence/governance';
import type { RecordSigning } from '../evidence/recordSigning';
import { ensureHostKey } from '../signing/hostKey';
import { SshToolFailure } from '../signing/sshTools';

type RosterCalls = 'roster.status' | 'roster.init';

/** The handlers of the roster's calls (part of main/console/handlers.ts's table). */
export type RosterHandlers = { [K in RosterCalls]: (input: CallInput<K>) => Promise<CallOutput<K>> };

/**
 * The roster's calls (issue 15, "Before a roster exists"): its state for the header and the home
 * screen, and creating the first roster from the console. Creation is `breakglass roster init`'s
 * (main/evidence/governance.ts): the operator becomes the first roster admin and operator with the
 * agent key they chose, and this host's key is registered for host-level records, as the CLI does.
 */
export function rosterHandlers(d: { app: Application }): RosterHandlers {
  const { store, host } = d.app.ctx;
  return {
    'roster.status': async () => {
      const [roster, { governed, notInForce }, agent] = await Promise.all([store.roster(), store.governance(), agentKeys(store.signing)]);
      const { policy } = await store.read();
      const required = roster ? approvalsRequired(roster, policy.ok ? policy.policy : null) : 1;
      const governance = { pending: (governed?.pending ?? []).map((p) => ({ ...p, required })), notInForce };
      // Parsed on the way out too: only fingerprints and types cross, never a key's comment.
      return RosterStatusSchema.parse({ roster: roster !== null, anchor: governed?.anchor ?? null, agent, governance });
    },
    'roster.init': async ({ id, name, email, accounts, fingerprint }) => {
      const hostKey = await ensureHostKey(store.gitDir, host.hostId);
      const { commit } = await d.app.write(() => createRoster(store, {
        id, name, email, fingerprint,
        ...(accounts?.length ? { accounts } : {}),
        host: { id: host.hostId, publicKeyLine: hostKey.publicKey.line },
      }));
      return RosterCreatedSchema.parse({ anchor: commit });
    },
  };
}

/** The agent's keys read afresh, or why it cannot be asked (OpenSSH's failure reason, put in words by the renderer). */
async function agentKeys(signing: Pick<RecordSigning, 'keysInAgent'>): Promise<RosterStatus['agent']> {
  try {
    const keys = await signing.keysInAgent({ fresh: true });
    return { ok: true, keys: keys.map((k) => ({ fingerprint: k.fingerprint, type: k.type, securityKey: k.securityKey })) };
  } catch (e) {
    const cause = e instanceof BreakGlassError ? e.cause : e;
    if (!(cause instanceof SshToolFailure)) throw e;
    return { ok: false, reason: cause.reason === 'not-installed' || cause.reason === 'agent-unreachable' ? cause.reason : 'failed' };
  }
}
