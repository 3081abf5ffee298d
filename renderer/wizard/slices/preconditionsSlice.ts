import type { PreconditionResult } from '../../../app/service';
import { settle } from '../../stores/bridge';
import { operatorOf, preconditionKey } from '../rules';
import { NO_CHECKS } from '../state';
import type { Slice, WizardKit } from './kit';

/** The host's precondition checks (procedure.md §3), run by the service for the inputs typed so far. */
export function preconditionsSlice(kit: WizardKit): Slice<'preconditions', 'checkPreconditions'> {
  const { api, get, set } = kit;
  let checking: Promise<PreconditionResult[] | null> | null = null;
  let checkingKey: string | null = null;
  return {
    data: { preconditions: NO_CHECKS },
    actions: {
      checkPreconditions(row) {
        const fields = get().fields;
        const key = preconditionKey(fields);
        // One check at a time: the same inputs share the running one; new inputs run right after it.
        if (checking) return checkingKey === key ? checking : checking.then(() => get().actions.checkPreconditions(row));
        checkingKey = key;
        const operator = operatorOf(fields);
        const incidentId = fields.incidentId.trim().slice(0, 500);
        set({ preconditions: { ...get().preconditions, status: 'checking', error: null, rowInFlight: row ?? null } });
        checking = (async () => {
          const r = await settle(
            api.preconditions.check({
              ...(fields.environment ? { environment: fields.environment.slice(0, 63) } : {}),
              ...(incidentId ? { incidentId } : {}),
              ...(operator ? { operator } : {}),
            }),
          );
          if (r.ok) {
            set({ preconditions: { status: 'done', results: r.value, checkedFor: key, checkedAt: new Date().toISOString(), error: null, rowInFlight: null } });
            return r.value;
          }
          set({ preconditions: { ...get().preconditions, status: 'failed', error: r.error, rowInFlight: null } });
          return null;
        })().finally(() => {
          checking = null;
        });
        return checking;
      },
    },
  };
}
