import type { Ref } from 'react';
import { useWizard } from './useWizard';

/** The two answers wherever discarding the draft is confirmed (the wizard's foot, the saved-draft offer). */
export function DiscardAnswers({ keepRef }: { keepRef?: Ref<HTMLButtonElement> }) {
  const { askDiscard, discard } = useWizard((s) => s.actions);
  return (
    <>
      <button ref={keepRef} type="button" className="button button-secondary" onClick={() => askDiscard(false)}>
        Keep the draft
      </button>
      <button type="button" className="button button-danger" onClick={() => void discard()}>
        Discard the draft
      </button>
    </>
  );
}
