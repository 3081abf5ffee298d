import '../forms/zodConfig';
import { RosterInitSchema } from '../../app/contract';
import type { FieldIssues } from '../forms/issues';
import { validateWithStandIns } from '../forms/standIn';

/*
 * The "Create the roster" form's fields and their validation (issue 15), without the store: pure,
 * so unit tests run them under Node.
 */

/** The "Create the roster" form's typed fields (strings as typed; `account` is one optional OS account). */
export interface RosterFields {
  id: string;
  name: string;
  email: string;
  account: string;
  fingerprint: string;
}

const STAND_INS = { id: 'ada', name: 'Ada Lovelace', email: 'ada@example.com', accounts: ['ada'], fingerprint: `SHA256:${'A'.repeat(43)}` };

/** The input `roster.init` is sent, from the typed fields (an empty optional field is absent). */
export function rosterRequest(f: RosterFields): Record<string, unknown> {
  return {
    id: f.id.trim(), name: f.name, email: f.email,
    ...(f.account.trim() ? { accounts: [f.account.trim()] } : {}),
    ...(f.fingerprint ? { fingerprint: f.fingerprint } : {}),
  };
}

/** The form's issues, with THE schema `roster.init` parses (renderer/forms/standIn.ts). */
export function rosterIssues(f: RosterFields): FieldIssues {
  return validateWithStandIns({
    schema: RosterInitSchema,
    candidate: rosterRequest(f),
    standIns: STAND_INS,
    unsetWording: { fingerprint: 'Choose the key that signs the roster.' },
  });
}

/** A roster id suggested from a name: "Ada Lovelace" → "ada-lovelace". */
export function suggestedId(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
}
