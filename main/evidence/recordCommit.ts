import { commitMessageFor, recordPath, type EvidenceRecord } from '../../app/records';
import type { LedgerView } from '../../app/ports';
import type { BranchCommitter } from './commit';
import { ownRef, trackingRefOf } from './layout';
import type { RecordSigning } from './recordSigning';

/**
 * Commits one record (one file, one commit, authored by the record's actor at the record's time)
 * on the own ref of the host that writes it, as `view` has that ref (issue 14), signed when the
 * roster of `rosterBlob` is in force (issue 15). A host's first record starts its ref at the
 * organisation tip. The view and every cache are left to the caller (main/evidence/store.ts).
 */
export async function commitRecordOn(committer: BranchCommitter, signing: RecordSigning, view: LedgerView, rosterBlob: string | null, record: EvidenceRecord, incidentId: string | null) {
  const tipOf = (r: string) => view.tips?.find((t) => t.ref === r)?.commit ?? null;
  const declared = view.sessions.get(record.sessionId)?.[0]?.record;
  const file = recordPath(record, declared?.at ?? record.at);
  const json = `${JSON.stringify(record, null, 2)}\n`;
  const roster = await signing.roster(rosterBlob);
  const ref = ownRef(record.host.id);
  const tip = tipOf(ref);
  // A host whose ref the remote already has (a new clone on its machine) continues it.
  const fetched = tip === null ? tipOf(trackingRefOf(record.host.id)) : null;
  const org = view.tips?.find((t) => t.organisation)?.commit ?? null;
  const c = {
    branch: ref.slice('refs/heads/'.length),
    parent: tip ?? fetched ?? org,
    expected: tip,
    who: record.actor,
    authoredAt: Math.floor(Date.parse(record.at) / 1000),
    committedAt: Math.floor(Date.now() / 1000),
    message: commitMessageFor(record, incidentId ? incidentId.replace(/[\r\n]/g, ' ') : null),
  };
  let commit: string;
  if (roster) {
    // Fail closed (issue 15): the signer is chosen and checked before anything is written.
    const operator = view.sessions.get(record.sessionId)?.[0]?.record.actor ?? null;
    // An invalid policy in force allows nothing unsigned (fail closed).
    const unsigned = view.policy.ok ? view.policy.policy.unsignedDeclarations : 'refuse';
    const signer = await signing.signerFor(roster, record, operator, c.committedAt * 1000, unsigned);
    commit = signer
      ? await committer.commitSignedFile({ ...c, file: { path: file, content: json } }, signer)
      : await committer.commitFiles({ ...c, files: [{ path: file, content: json }] });
  } else {
    commit = await committer.commitFiles({ ...c, files: [{ path: file, content: json }] });
  }
  return { commit, ref, file, blob: committer.blobId(json), tip, org, fetched };
}
