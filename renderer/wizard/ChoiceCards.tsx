import type { ReactNode } from 'react';
import { RadioCards, type Card } from '../forms/ChoiceFields';
import { FieldError, fieldId, onGroupBlur, useFieldErrors, useTouch } from '../forms/FieldErrors';

/**
 * A wizard field answered by picking one card (the trigger, the environment): legend, hint, the
 * radio cards and the field's errors. The first card carries the field's id, and the error mark
 * goes to the chosen card (the first when none is; always the first with `markFirst`), so the focus can go to it.
 */
export function ChoiceCards<V extends string>(props: { path: string; legend: string; hint: ReactNode; value: V | ''; cards: ReadonlyArray<Card<V>>; onChange(v: V): void; inline?: boolean; markFirst?: boolean; children?: ReactNode }) {
  const { path, legend, hint, value, cards, onChange, inline, markFirst, children } = props;
  const errors = useFieldErrors(path);
  const touch = useTouch();
  const id = fieldId(path);
  const errorId = `${id}-error`;
  return (
    <fieldset className={`group${errors.length > 0 ? ' field--invalid' : ''}`} onBlur={onGroupBlur(() => touch(path))} aria-describedby={`${id}-hint`}>
      <legend className="group-legend">{legend}</legend>
      <p className="field-hint" id={`${id}-hint`}>
        {hint}
      </p>
      <RadioCards
        value={value}
        cards={cards}
        inline={inline}
        input={(c, i) => ({
          name: path,
          id: i === 0 ? id : undefined,
          onChange: () => onChange(c.value),
          'aria-describedby': errors.length > 0 ? errorId : undefined,
          'data-error': errors.length > 0 && (markFirst || !value ? i === 0 : value === c.value) ? 'true' : undefined,
        })}
      />
      <FieldError id={errorId} messages={errors} />
      {children}
    </fieldset>
  );
}
