import { useStore } from 'zustand';
import { useFeatureStore, type FeatureStoreFactory } from '../stores/context';
import type { WizardState } from './state';
import { createWizardStore } from './store';

/** The wizard store of one window (stores/context.tsx `useFeatureStore`), bound to that window's API, status, UI and policy stores. */
const wizardStore: FeatureStoreFactory<WizardState> = (stores) => ({ store: createWizardStore(stores.api, stores) });

/** Reads the declaration wizard's store (issue 4) through a selector. */
export function useWizard<T>(selector: (s: WizardState) => T): T {
  return useStore(useFeatureStore(wizardStore), selector);
}
