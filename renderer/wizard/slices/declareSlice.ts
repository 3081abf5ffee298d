import type { CallRequest } from '../../../app/contract';
import { formatCount } from '../../format';
import { settle } from '../../stores/bridge';
import { REVIEW_STEP } from '../fields';
import { blocking, preconditionKey } from '../rules';
import { NOT_DECLARING } from '../state';
import { toDeclaration, stepOfPath } from '../validate';
import { emptyWizard, issuesNow, refuse, type Slice, type WizardKit } from './kit';

/**
 * "Declare" (procedure.md §1–§4): everything checked again exactly as "Next" would, then the
 * `declared` record committed by the service. Fail closed: nothing is active before that commit,
 * and a refusal keeps every field as typed (and the draft).
 */
export function declareSlice(kit: WizardKit): Slice<'declaring' | 'declared', 'declare' | 'acknowledgeDeclared'> {
  const { api, get, set, saver } = kit;
  return {
    data: { declaring: NOT_DECLARING, declared: null },
    actions: {
      async declare() {
        const s = get();
        if (s.declaring.status === 'declaring' || s.step !== REVIEW_STEP) return null;
        // A problem sends the operator to its step and field.
        const all = blocking(issuesNow(kit), REVIEW_STEP);
        const first = all[0];
        if (first) {
          const step = first.path === 'confirmation' ? REVIEW_STEP : stepOfPath(first.path);
          refuse(kit, step, step === REVIEW_STEP ? 'Type the incident ID exactly as shown to confirm, then declare.' : `${formatCount(all.length, 'field')} must be fixed before declaring. This step has the first one.`);
          return null;
        }
        const pre = s.preconditions;
        if (pre.status === 'done' && pre.checkedFor === preconditionKey(s.fields) && pre.results?.some((r) => r.status === 'fail')) {
          refuse(kit, REVIEW_STEP, 'A precondition failed: go to Preconditions, fix it and check again.');
          return null;
        }
        set({ declaring: { status: 'declaring', startedAt: Date.now(), error: null }, blocked: null });
        // The draft on disk holds everything typed before the commit is attempted; no save may land after it.
        await saver.saveNow();
        saver.suppress(true);
        // Plain JSON, as the contract takes it (an unset field is absent, not undefined).
        const declaration = JSON.parse(JSON.stringify(toDeclaration(get().fields))) as CallRequest<'session.declare'>['declaration'];
        const r = await settle(api.session.declare({ declaration }));
        if (!r.ok) {
          saver.suppress(false);
          // Fail closed (procedure.md §1): no session exists; every field stays as typed, and the draft too.
          set({ declaring: { status: 'failed', startedAt: null, error: r.error } });
          return null;
        }
        // The service discarded the draft with the commit; start the next declaration clean.
        void saver.reset();
        saver.suppress(false);
        set({
          ...emptyWizard(kit, get().policy),
          declared: { sessionId: r.value.sessionId, incidentId: s.fields.incidentId.trim(), commit: r.value.commit },
        });
        kit.stores.ui.getState().actions.closeDeclare();
        return r.value;
      },

      acknowledgeDeclared() {
        set({ declared: null });
      },
    },
  };
}
