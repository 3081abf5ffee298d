import type { StoreApi } from 'zustand/vanilla';
import type { Draft } from '../../../app/contract';
import type { Policy } from '../../../app/policy';
import { settle } from '../../stores/bridge';
import { emptyFields, fromDraft, withRequiredPaths } from '../fields';
import type { WizardState } from '../state';
import { identityOf, type Slice, type WizardKit } from './kit';

/** The policy in force changed under the wizard (a pull, an edit): validate with it, and pre-list the paths it requires. */
export function applyPolicy(store: Pick<StoreApi<WizardState>, 'getState' | 'setState'>, policy: Policy): void {
  const s = store.getState();
  store.setState({ policy, fields: { ...s.fields, governedPaths: withRequiredPaths(s.fields.governedPaths, policy, s.fields.trigger) } });
}

/** Starting the wizard: the policy (from the policy source) and any draft saved earlier, read once. */
export function initSlice(kit: WizardKit): Slice<'phase' | 'loadError' | 'policy', 'init'> {
  const { api, get, set } = kit;
  let initPromise: Promise<void> | null = null;
  return {
    data: { phase: 'idle', loadError: null, policy: null },
    actions: {
      init() {
        initPromise ??= (async () => {
          set({ phase: 'loading', loadError: null });
          const [policy, draft] = await Promise.all([kit.stores.policy.getState().actions.load(), settle(api.draft.get({}))]);
          const p = policy.policy;
          if (policy.error || !p) {
            initPromise = null;
            set({ phase: 'error', loadError: policy.error ?? { code: 'refused', message: `The policy is invalid: ${(policy.answer?.problems ?? []).join(' ')}` } });
            return;
          }
          set({ policy: p });
          const saved: Draft | null = draft.ok ? draft.value : null;
          if (saved) {
            const restored = fromDraft(saved);
            set({
              phase: 'ready',
              fields: { ...restored.fields, governedPaths: withRequiredPaths(restored.fields.governedPaths, p, restored.fields.trigger) },
              step: restored.step,
              maxStep: restored.maxStep,
              draft: { ...get().draft, exists: true, savedAt: restored.savedAt, resumedFrom: restored.savedAt },
            });
          } else {
            set({ phase: 'ready', fields: emptyFields(p, identityOf(kit)) });
          }
        })();
        return initPromise;
      },
    },
  };
}
