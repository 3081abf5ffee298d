import type { StoreApi } from 'zustand/vanilla';
import type { BreakGlassApi } from '../../../app/contract';
import type { Policy } from '../../../app/policy';
import type { FieldIssues } from '../../forms/issues';
import type { Stores } from '../../stores/context';
import type { DraftSaver } from '../draftSaver';
import { emptyFields, type StepIndex } from '../fields';
import { wizardIssues } from '../rules';
import { NO_CHECKS, NO_DRAFT, NOT_DECLARING, type WizardActions, type WizardData, type WizardState } from '../state';

/** What every slice of the wizard store works with: the store, the shared stores it reads, and the draft saver. */
export interface WizardKit {
  api: BreakGlassApi;
  stores: Pick<Stores, 'status' | 'ui' | 'policy'>;
  set: StoreApi<WizardState>['setState'];
  get: StoreApi<WizardState>['getState'];
  saver: DraftSaver;
}

/** A slice: part of the wizard's data and the actions that change it. */
export interface Slice<K extends keyof WizardData, A extends keyof WizardActions> {
  data: Pick<WizardData, K>;
  actions: Pick<WizardActions, A>;
}

/** Every issue the wizard shows now. */
export function issuesNow(kit: WizardKit): FieldIssues {
  const s = kit.get();
  return wizardIssues(s.policy, s.fields, kit.stores.status.getState().snapshot?.open);
}

/** This host's git identity, which prefills the operator. */
export function identityOf(kit: WizardKit): { name: string; email: string } | null {
  return kit.stores.status.getState().snapshot?.gitIdentity ?? null;
}

/** The wizard as it starts afresh, after a declaration and after "discard": one place, so the two cannot drift. */
export function emptyWizard(kit: WizardKit, policy: Policy | null): Partial<WizardData> {
  return {
    fields: emptyFields(policy, identityOf(kit)),
    step: 0,
    maxStep: 0,
    touched: new Set(),
    attempted: new Set(),
    blocked: null,
    draft: NO_DRAFT,
    preconditions: NO_CHECKS,
    declaring: NOT_DECLARING,
  };
}

/** Shows every error of `step` with `message` beside "Next", and asks for the focus on the first one. */
export function refuse(kit: WizardKit, step: StepIndex, message: string): void {
  const s = kit.get();
  const attempted = new Set(s.attempted);
  attempted.add(step);
  kit.set({ step, attempted, blocked: message, focusRequest: s.focusRequest + 1, headingRequest: s.step === step ? s.headingRequest : s.headingRequest + 1, advancing: false });
}
