import { useClock } from '../stores/context';
import { FieldError, fieldId, onGroupBlur, useFieldErrors, useTouch } from '../forms/FieldErrors';
import { TextField } from '../forms/TextField';
import { EnvironmentChoice } from './EnvironmentChoice';
import { localStamp, utcStamp } from './time';
import { useWizard } from './useWizard';

/** Step 4 (procedure.md §1 least privilege, §4): environment, scopes (none preselected), duration with the exact expiry. */
export function StepScope() {
  const duration = useWizard((s) => s.fields.duration);
  const limits = useWizard((s) => s.policy?.duration);
  const update = useWizard((s) => s.actions.update);
  return (
    <>
      <EnvironmentChoice hint="The one environment this session may act in." />
      <Scopes />
      <TextField
        path="durationMinutes"
        label="Duration in minutes"
        hint={limits ? `Policy default ${limits.defaultMinutes}, maximum ${limits.maxMinutes}. Ask for what you need; extending later needs a new justification.` : undefined}
        value={duration}
        onChange={(v) => update({ duration: v })}
        inputMode="numeric"
        size="short"
        extra={<ExpiryPreview />}
        extraId="wz-expiry"
      />
    </>
  );
}

function Scopes() {
  const env = useWizard((s) => s.policy?.environments.find((e) => e.id === s.fields.environment) ?? null);
  const scopes = useWizard((s) => s.fields.scopes);
  const toggle = useWizard((s) => s.actions.toggleScope);
  const errors = useFieldErrors('scopes', true);
  const touch = useTouch();
  const errorId = `${fieldId('scopes')}-error`;
  return (
    <fieldset className={`group${errors.length > 0 ? ' field--invalid' : ''}`} onBlur={onGroupBlur(() => touch('scopes'))} aria-describedby="wz-scopes-hint">
      <legend className="group-legend">Scopes{env ? ` in ${env.id}` : ''}</legend>
      <p className="field-hint" id="wz-scopes-hint">
        {env ? 'Least privilege: tick only what this emergency needs. Nothing is preselected.' : 'Pick the environment first: its scopes are listed here.'}
      </p>
      {env && (
        <div className="scope-list">
          {env.scopes.map((scope, i) => (
            <div key={scope.id} className="check-field">
              <input
                id={`wz-scope-${scope.id}`}
                type="checkbox"
                checked={scopes.includes(scope.id)}
                onChange={(e) => toggle(scope.id, e.target.checked)}
                aria-invalid={errors.length > 0 ? true : undefined}
                aria-describedby={errors.length > 0 ? errorId : undefined}
                data-error={errors.length > 0 && i === 0 ? 'true' : undefined}
              />
              <label htmlFor={`wz-scope-${scope.id}`}>
                <span className="mono scope-id">{scope.id}</span> <span className="scope-desc">{scope.description}</span>
              </label>
            </div>
          ))}
        </div>
      )}
      <FieldError id={errorId} messages={errors} />
    </fieldset>
  );
}

/** The exact expiry if the declaration were committed now, in local time and UTC, ticking. */
function ExpiryPreview() {
  const duration = useWizard((s) => s.fields.duration.trim());
  const max = useWizard((s) => s.policy?.duration.maxMinutes ?? Infinity);
  const now = useClock((s) => s.now);
  const minutes = /^\d+$/.test(duration) ? Number(duration) : NaN;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > max) {
    return (
      <p className="expiry" id="wz-expiry">
        The expiry is shown once the duration is a whole number of minutes within the policy.
      </p>
    );
  }
  const at = new Date(now + minutes * 60_000);
  return (
    <p className="expiry" id="wz-expiry">
      Declared now, the session would expire at <strong><time dateTime={at.toISOString()}>{localStamp(at)}</time></strong> (<span className="nowrap">{utcStamp(at)}</span>): {minutes} minutes after the declaration is committed.
    </p>
  );
}
