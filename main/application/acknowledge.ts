import { ACK_NAMESPACE, ackMessage, AcknowledgeInputSchema, type AckStatus } from '../../app/acknowledgement';
import { refused } from '../../app/errors';
import { DEFAULT_POLICY } from '../../app/policy';
import { parseOrThrow } from '../../app/zodIssues';
import { acknowledgementsOf } from '../evidence/acknowledgements';
import type { Application, CommittedRecord } from './application';

/**
 * The commander's side of the offline acknowledgement (issue 16), for the CLI and the console
 * alike: the typed code is validated, a key of a roster person with the commander role is taken
 * from the ssh-agent (`fingerprint` picks one), it signs `breakglass-ack-v1:<challenge>` in
 * namespace `breakglass-ack`, and the signed `acknowledgement` record is committed on this
 * host's journal. The record's payload carries the response code to read back.
 */
export async function acknowledgeAsCommander(app: Application, input: { code: unknown; event?: unknown }, fingerprint?: string): Promise<CommittedRecord> {
  const typed = parseOrThrow(AcknowledgeInputSchema, input, 'acknowledgement');
  const { store, clock } = app.ctx;
  const roster = await store.roster();
  if (!roster) throw refused("This evidence repository has no roster: an acknowledgement is the incident commander's signed record, so it needs a roster that gives them the commander role (breakglass roster init, then breakglass roster add … --roles commander). Nothing was recorded.");
  const { person, signer } = await store.signing.roleSigner(roster, 'commander', 'an incident commander', clock.now(), fingerprint);
  const signature = await signer.sign(Buffer.from(ackMessage(typed.code), 'utf8'), ACK_NAMESPACE);
  return app.write((s) => s.recordAcknowledgement({ code: typed.code, ...(typed.event ? { event: typed.event } : {}), signature }, { name: person.name, email: person.email }));
}

/** Every session's acknowledgements (or only those of `only`) as this repository's histories show them now (issue 16). */
export async function sessionAcknowledgementsNow(app: Application, only?: ReadonlySet<string>): Promise<Map<string, AckStatus[]>> {
  const view = await app.service.read();
  const roster = await app.ctx.store.roster().catch(() => null);
  return acknowledgementsOf(view, roster, view.policy.ok ? view.policy.policy : DEFAULT_POLICY, app.ctx.clock.now(), only).bySession;
}
