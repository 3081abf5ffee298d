import { formatCount } from '../../format';
import { REVIEW_STEP, type StepIndex } from '../fields';
import { blocking, preconditionKey } from '../rules';
import { issuesNow, refuse, type Slice, type WizardKit } from './kit';

/** Shows `step` (the furthest reached follows), asks for the focus on its heading, and saves the draft with it. */
export function moveTo(kit: WizardKit, step: StepIndex): void {
  const s = kit.get();
  kit.set({ step, maxStep: Math.max(s.maxStep, step) as StepIndex, blocked: null, headingRequest: s.headingRequest + 1 });
  kit.saver.changed();
  void kit.saver.saveNow();
}

/** Validates one step as "Next" does (the preconditions step runs its checks if they are not fresh): true when it may be left. */
async function checkStep(kit: WizardKit, step: StepIndex): Promise<boolean> {
  const list = blocking(issuesNow(kit), step);
  if (list.length > 0) {
    refuse(kit, step, list.length === 1 ? '1 field needs attention on this step: fix it, then continue.' : `${list.length} fields need attention on this step: fix them, then continue.`);
    return false;
  }
  if (step === 1) {
    const s = kit.get();
    const fresh = s.preconditions.status === 'done' && s.preconditions.checkedFor === preconditionKey(s.fields);
    const results = fresh ? s.preconditions.results : await kit.get().actions.checkPreconditions();
    if (!results) {
      refuse(kit, 1, 'The checks could not be run: see the reason above, then check again.');
      return false;
    }
    const failed = results.filter((r) => r.status === 'fail');
    if (failed.length > 0) {
      refuse(kit, 1, `${formatCount(failed.length, 'check')} failed. ${failed.length === 1 ? 'It blocks' : 'They block'} the declaration: fix what ${failed.length === 1 ? 'it says' : 'they say'}, then press "Check again".`);
      return false;
    }
  }
  return true;
}

/** The five steps (issue 4): where the operator is, how far they got, and why "Next" did not move on. */
export function stepsSlice(kit: WizardKit): Slice<'step' | 'maxStep' | 'attempted' | 'focusRequest' | 'headingRequest' | 'blocked' | 'advancing', 'next' | 'back' | 'goTo'> {
  const { get, set } = kit;
  return {
    data: { step: 0, maxStep: 0, attempted: new Set(), focusRequest: 0, headingRequest: 0, blocked: null, advancing: false },
    actions: {
      async next() {
        const s = get();
        if (s.advancing || s.declaring.status === 'declaring') return;
        if (s.step >= REVIEW_STEP) return;
        set({ advancing: true });
        const ok = await checkStep(kit, s.step);
        set({ advancing: false });
        if (ok) moveTo(kit, (s.step + 1) as StepIndex);
      },

      back() {
        const s = get();
        if (s.step === 0 || s.declaring.status === 'declaring') return;
        moveTo(kit, (s.step - 1) as StepIndex);
      },

      async goTo(step) {
        const s = get();
        if (s.advancing || s.declaring.status === 'declaring' || step === s.step || step > s.maxStep) return;
        if (step < s.step) return moveTo(kit, step);
        set({ advancing: true });
        for (let i = s.step; i < step; i++) {
          if (!(await checkStep(kit, i as StepIndex))) return;
        }
        set({ advancing: false });
        moveTo(kit, step);
      },
    },
  };
}
