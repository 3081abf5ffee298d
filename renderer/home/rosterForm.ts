import { createStore } from 'zustand/vanilla';
import type { CallRequest, ErrorInfo } from '../../app/contract';
import { settle } from '../stores/bridge';
import { featureStoreOf, type FeatureStoreFactory } from '../stores/context';
import { rosterStore } from '../stores/roster';
import { rosterIssues, rosterRequest, type RosterFields } from './rosterFields';

/**
 * The "Create the roster" form (issue 15, "Before a roster exists"), kept in a store of its own
 * so nothing typed is lost when the home screen re-renders, on an error, or after "Check again".
 */
export interface RosterFormState {
  fields: RosterFields;
  /** The prefill from the snapshot ran (once: what the person types afterwards is never replaced). */
  prefilled: boolean;
  touched: ReadonlySet<string>;
  attempted: boolean;
  creating: boolean;
  error: ErrorInfo | null;
  /** The trust anchor of the roster created here, shown until the window closes. */
  created: string | null;
  actions: {
    set(patch: Partial<RosterFields>): void;
    prefill(from: Partial<RosterFields>): void;
    touch(path: string): void;
    /** Sends `roster.init`; false when the form's own validation or the service refused. */
    create(): Promise<boolean>;
  };
}

/** The form store's factory (one per set of stores). */
export const rosterFormStore: FeatureStoreFactory<RosterFormState> = (stores) => ({
  store: createStore<RosterFormState>()((set, get) => ({
    fields: { id: '', name: '', email: '', account: '', fingerprint: '' },
    prefilled: false,
    touched: new Set(),
    attempted: false,
    creating: false,
    error: null,
    created: null,
    actions: {
      set(patch) {
        set((s) => ({ fields: { ...s.fields, ...patch } }));
      },
      prefill(from) {
        if (get().prefilled) return;
        set((s) => ({ prefilled: true, fields: { ...s.fields, ...Object.fromEntries(Object.entries(from).filter(([k]) => !s.fields[k as keyof RosterFields])) } }));
      },
      touch(path) {
        set((s) => ({ touched: new Set([...s.touched, path]) }));
      },
      async create() {
        const { fields, creating } = get();
        if (creating) return false;
        set({ attempted: true, error: null });
        if (rosterIssues(fields).size > 0) return false;
        set({ creating: true });
        const r = await settle(stores.api.roster.init(rosterRequest(fields) as CallRequest<'roster.init'>));
        if (!r.ok) {
          set({ creating: false, error: r.error });
          return false;
        }
        set({ creating: false, created: r.value.anchor });
        await featureStoreOf(stores, rosterStore).getState().actions.load();
        return true;
      },
    },
  })),
});
