import { settle } from '../../stores/bridge';
import { NO_DRAFT } from '../state';
import { emptyWizard, type Slice, type WizardKit } from './kit';

/** The draft kept on this host (never in the evidence repository): saved as the operator types, offered back, discarded on request. */
export function draftSlice(kit: WizardKit): Slice<'draft', 'saveNow' | 'askDiscard' | 'discard'> {
  const { api, get, set, saver } = kit;
  return {
    data: { draft: NO_DRAFT },
    actions: {
      saveNow: () => saver.saveNow(),

      askDiscard(ask) {
        set({ draft: { ...get().draft, confirmingDiscard: ask } });
      },

      async discard() {
        if (get().declaring.status === 'declaring') return;
        await saver.reset();
        const r = await settle(api.draft.discard({}));
        if (!r.ok) {
          set({ draft: { ...get().draft, error: r.error, confirmingDiscard: false } });
          return;
        }
        set({ ...emptyWizard(kit, get().policy), headingRequest: get().headingRequest + 1 });
      },
    },
  };
}
