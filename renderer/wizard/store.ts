import '../forms/zodConfig';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BreakGlassApi } from '../../app/contract';
import type { Stores } from '../stores/context';
import { createDraftSaver } from './draftSaver';
import { declareSlice } from './slices/declareSlice';
import { draftSlice } from './slices/draftSlice';
import { fieldsSlice } from './slices/fieldsSlice';
import { applyPolicy, initSlice } from './slices/initSlice';
import type { WizardKit } from './slices/kit';
import { preconditionsSlice } from './slices/preconditionsSlice';
import { stepsSlice } from './slices/stepsSlice';
import type { WizardState } from './state';

/**
 * The declaration wizard's store (issue 4), made of one slice per concern (wizard/slices/): the
 * start (policy and saved draft), the fields, the steps, the precondition checks, the draft kept on
 * this host, and the declaration itself. It lives beside the shared stores, not in a component, so
 * that nothing typed is lost when the panel around it re-renders (a session declared meanwhile by
 * the CLI, say).
 */
export function createWizardStore(api: BreakGlassApi, stores: Pick<Stores, 'status' | 'ui' | 'policy'>): StoreApi<WizardState> {
  const store = createStore<WizardState>()((set, get) => {
    const saver = createDraftSaver(api, { getState: get, setState: set });
    const kit: WizardKit = { api, stores, set, get, saver };
    const start = initSlice(kit);
    const fields = fieldsSlice(kit);
    const steps = stepsSlice(kit);
    const checks = preconditionsSlice(kit);
    const draft = draftSlice(kit);
    const declaring = declareSlice(kit);
    return {
      ...start.data,
      ...fields.data,
      ...steps.data,
      ...checks.data,
      ...draft.data,
      ...declaring.data,
      actions: { ...start.actions, ...fields.actions, ...steps.actions, ...checks.actions, ...draft.actions, ...declaring.actions },
    };
  });

  // The policy may change under the console (a pull, an edit): the wizard validates with the one in force.
  stores.policy.subscribe((p, prev) => {
    const w = store.getState();
    if (p.policy && p.policy !== prev.policy && w.phase === 'ready' && w.policy !== p.policy) applyPolicy(store, p.policy);
  });
  // The git identity arrives with the first snapshot: prefill the operator if nothing was typed.
  stores.status.subscribe((s, prev) => {
    const id = s.snapshot?.gitIdentity;
    const w = store.getState();
    if (id && !prev.snapshot?.gitIdentity && w.phase === 'ready' && !w.draft.exists && !w.fields.operatorName && !w.fields.operatorEmail) {
      store.setState({ fields: { ...w.fields, operatorName: id.name, operatorEmail: id.email } });
    }
  });
  return store;
}
