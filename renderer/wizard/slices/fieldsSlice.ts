import { emptyFields, emptyRow, withRequiredPaths } from '../fields';
import type { Slice, WizardKit } from './kit';

/** The fields as typed and which of them the operator has left (issue 4). Every change is saved as a draft shortly after. */
export function fieldsSlice(kit: WizardKit): Slice<'fields' | 'touched', 'update' | 'updateRow' | 'addRow' | 'removeRow' | 'toggleScope' | 'touch'> {
  const { get, set, saver } = kit;
  return {
    data: { fields: emptyFields(null, null), touched: new Set() },
    actions: {
      update(patch) {
        const s = get();
        const fields = { ...s.fields, ...patch };
        if (patch.trigger !== undefined && patch.trigger !== s.fields.trigger) {
          fields.governedPaths = withRequiredPaths(fields.governedPaths, s.policy, fields.trigger);
        }
        if (patch.environment !== undefined && patch.environment !== s.fields.environment && s.policy) {
          // Scopes are per environment: keep only those the new environment offers.
          const env = s.policy.environments.find((e) => e.id === patch.environment);
          const allowed = new Set(env?.scopes.map((x) => x.id) ?? []);
          fields.scopes = fields.scopes.filter((x) => allowed.has(x));
        }
        set({ fields, blocked: null });
        saver.changed();
      },

      updateRow(key, patch) {
        const s = get();
        set({ fields: { ...s.fields, governedPaths: s.fields.governedPaths.map((r) => (r.key === key ? { ...r, ...patch, path: r.required ? r.path : patch.path ?? r.path } : r)) } });
        saver.changed();
      },

      addRow() {
        const row = emptyRow();
        const s = get();
        set({ fields: { ...s.fields, governedPaths: [...s.fields.governedPaths, row] } });
        saver.changed();
        return row.key;
      },

      removeRow(key) {
        const s = get();
        set({ fields: { ...s.fields, governedPaths: s.fields.governedPaths.filter((r) => r.key !== key) } });
        saver.changed();
      },

      toggleScope(scope, on) {
        const s = get();
        const scopes = on ? [...new Set([...s.fields.scopes, scope])] : s.fields.scopes.filter((x) => x !== scope);
        get().actions.update({ scopes });
      },

      touch(path) {
        const s = get();
        if (s.touched.has(path)) return;
        const touched = new Set(s.touched);
        touched.add(path);
        set({ touched });
      },
    },
  };
}
