import { useEffect, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { RosterStatus } from '../../app/contract';
import type { Choice } from '../forms/ChoiceFields';
import { RadioGroup } from '../forms/ChoiceFields';
import { FieldErrorsProvider } from '../forms/FieldErrors';
import { topOf } from '../forms/issues';
import { TextField } from '../forms/TextField';
import { useFeatureStore, useStatus } from '../stores/context';
import { rosterStore } from '../stores/roster';
import { rosterIssues, suggestedId } from './rosterFields';
import { rosterFormStore } from './rosterForm';
import './roster.css';

const FIELDS = ['id', 'name', 'email', 'accounts', 'fingerprint'];
const NO_KEYS: Extract<RosterStatus['agent'], { ok: true }>['keys'] = [];

/**
 * "Create the roster" (issue 15, "Before a roster exists"): on a repository with no roster the
 * operator becomes its first roster admin and operator with a key from the ssh-agent, or is told
 * how to make and add one. Once created, the panel gives way to the trust anchor an auditor pins.
 */
export function CreateRoster() {
  const status = useStore(useFeatureStore(rosterStore), (s) => s.status);
  const created = useStore(useFeatureStore(rosterFormStore), (s) => s.created);
  const observer = useStatus((s) => s.snapshot?.observer ?? false);
  if (created) return <RosterCreated anchor={created} />;
  // An observer writes nothing (issue 6): the header still says "Unsigned".
  if (!status || status.roster || observer) return null;
  return <CreateRosterForm agent={status.agent} />;
}

function RosterCreated({ anchor }: { anchor: string }) {
  return (
    <section className="banner banner--ok roster-created" role="status" aria-labelledby="roster-created-h" data-testid="roster-created">
      <h2 id="roster-created-h">The roster is created</h2>
      <p>
        Records are signed from now on. The trust anchor is commit <span className="mono break" data-testid="roster-anchor">{anchor}</span>: auditors pin it with{' '}
        <code className="break">breakglass verify --anchor {anchor}</code>.
      </p>
      <p>Add people and keys with <code>breakglass roster add</code>; a second roster admin approves each change.</p>
    </section>
  );
}

function CreateRosterForm({ agent }: { agent: RosterStatus['agent'] }) {
  const form = useFeatureStore(rosterFormStore);
  const { fields, touched, attempted, creating, error, actions } = useStore(form);
  const checking = useStore(useFeatureStore(rosterStore), (s) => s.checking);
  const recheck = useStore(useFeatureStore(rosterStore), (s) => s.actions.load);
  const git = useStatus((s) => s.snapshot?.gitIdentity ?? null);
  const osAccount = useStatus((s) => s.snapshot?.osAccount.username ?? null);
  const hasSnapshot = useStatus((s) => s.snapshot !== null);
  const [open, setOpen] = useState(false);

  // Prefilled once from who this console says is operating; what is typed is never replaced.
  useEffect(() => {
    if (!hasSnapshot) return;
    actions.prefill({ ...(git ? { name: git.name, email: git.email, id: suggestedId(git.name) } : {}), ...(osAccount ? { account: osAccount } : {}) });
  }, [hasSnapshot, git, osAccount, actions]);

  const keys = agent.ok ? agent.keys : NO_KEYS;
  // One key in the agent: it is the choice.
  useEffect(() => {
    if (keys.length === 1 && !fields.fingerprint) actions.set({ fingerprint: keys[0]!.fingerprint });
  }, [keys, fields.fingerprint, actions]);

  const issues = new Map(rosterIssues(fields));
  // The service's refusal of one field shows at that field (typed values stay); any other under the form.
  const refusedField = error?.field && FIELDS.includes(topOf(error.field)) ? error.field : null;
  if (refusedField && !issues.has(refusedField)) issues.set(refusedField, [error!.message]);
  const formError = error && !refusedField ? error.message : null;
  const errors = { issues, shown: (p: string) => attempted || touched.has(p) || (refusedField !== null && topOf(p) === topOf(refusedField)), touch: actions.touch };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!(await actions.create())) (e.target as HTMLFormElement).querySelector<HTMLElement>('[data-error="true"]')?.focus();
  };
  const choices: Array<Choice<string>> = keys.map((k) => ({
    value: k.fingerprint,
    title: `${k.type}${k.securityKey ? ' (security key)' : ''}`,
    meta: `${k.fingerprint}${k.securityKey ? ' · Security key: you will be asked to touch it.' : ''}`,
  }));

  return (
    <section className="card roster-panel" aria-labelledby="roster-h" data-testid="create-roster">
      <h2 id="roster-h">Create the roster</h2>
      <p>
        This evidence repository has no roster, so its records are <strong>unsigned</strong>: the names in them are claimed, not proven. Create the roster to sign every record
        with the key of the person it names. You become its first roster admin and operator; its first commit is the trust anchor auditors pin.
      </p>
      {/* Folded until asked for: on the worst day the home screen is for declaring, and its fields must not sit beside the wizard's. What is typed stays in the store when folded. */}
      <button type="button" className="button button-secondary" aria-expanded={open} aria-controls="roster-form" onClick={() => setOpen(!open)}>
        {open ? 'Hide the roster form' : 'Set up the roster…'}
      </button>
      {open && (
        <FieldErrorsProvider value={errors}>
          <form id="roster-form" noValidate onSubmit={(e) => void submit(e)} aria-describedby={formError ? 'roster-form-error' : undefined}>
            <div className="roster-fields">
              <TextField path="name" idPrefix="rs" label="Full name" value={fields.name} onChange={(name) => actions.set({ name })} autoComplete="name" size="medium" />
              <TextField path="email" idPrefix="rs" label="E-mail" type="email" inputMode="email" value={fields.email} onChange={(email) => actions.set({ email })} autoComplete="email" size="medium" />
              <TextField path="id" idPrefix="rs" label="Roster id" hint="How the roster and the records name you: lower-case letters, digits and dashes." value={fields.id} onChange={(id) => actions.set({ id })} mono size="short" />
              <TextField path="accounts" nested idPrefix="rs" label={<>OS account <span className="muted">(optional)</span></>} hint="The login you act under; when given, declarations check it." value={fields.account} onChange={(account) => actions.set({ account })} mono size="short" />
            </div>
            {keys.length > 0 ? (
              <RadioGroup path="fingerprint" idPrefix="rs" legend="The key that signs (from your ssh-agent)" value={fields.fingerprint} options={choices} onChange={(fingerprint) => actions.set({ fingerprint })} />
            ) : (
              <NoKey agent={agent} />
            )}
            {formError && (
              <p className="st-error" id="roster-form-error" role="alert">
                {formError}
              </p>
            )}
            <div className="roster-actions">
              {keys.length > 0 && (
                <button type="submit" className="button button-primary" aria-disabled={creating ? true : undefined}>
                  {creating ? 'Creating the roster…' : 'Create the roster'}
                </button>
              )}
              <button type="button" className="button button-secondary" onClick={() => void recheck()} disabled={checking} aria-describedby="roster-check-hint">
                {checking ? 'Checking…' : 'Check again'}
              </button>
              <span className="muted" id="roster-check-hint">Reads the keys in your ssh-agent again (after ssh-add).</span>
            </div>
            {creating && keys.find((k) => k.fingerprint === fields.fingerprint)?.securityKey && (
              <p role="status" className="roster-touch">Touch your security key to sign.</p>
            )}
          </form>
        </FieldErrorsProvider>
      )}
    </section>
  );
}

const AGENT_PROBLEM: Record<Extract<RosterStatus['agent'], { ok: false }>['reason'], string> = {
  'agent-unreachable': 'No ssh-agent answers this console (SSH_AUTH_SOCK is unset or stale): start ssh-agent, then start the console from that session.',
  'not-installed': 'OpenSSH (ssh-keygen, ssh-add) is not installed or not on PATH: install OpenSSH 8.9 or later.',
  failed: 'The ssh-agent could not be asked for its keys.',
};

/** No key to choose: why, and how to make and add one. */
function NoKey({ agent }: { agent: RosterStatus['agent'] }) {
  return (
    <div className="banner banner--warning roster-nokey" role="note" data-testid="roster-no-key">
      <p>
        <strong>{agent.ok ? 'Your ssh-agent holds no ed25519, ECDSA or security key.' : AGENT_PROBLEM[agent.reason]}</strong> The roster needs your public key; the private key stays in the agent.
      </p>
      <ol>
        <li>
          Create a key: <code className="nowrap">ssh-keygen -t ed25519-sk</code> with a FIDO2 security key (best: each signature needs a touch), or <code className="nowrap">ssh-keygen -t ed25519</code>.
        </li>
        <li>
          Add it to your agent: <code>ssh-add</code> (or <code className="nowrap">ssh-add ~/.ssh/id_ed25519_sk</code>).
        </li>
        <li>Press “Check again”.</li>
      </ol>
    </div>
  );
}
