// Redaction of structured evidence (issue 13: every free-text field of every record).
import { addKinds } from './engine';
import { redactText } from './text';
import type { RedactionKinds } from './types';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Redacts every string inside plain objects and arrays (keys kept), returning a new value, the total count and the kinds. */
export function redactDeep<T>(value: T): { value: T; count: number; kinds: RedactionKinds } {
  let count = 0;
  const kinds: Record<string, number> = {};
  // Objects on the current path: a cycle cannot be serialised into a record, so it is a caller bug.
  const onPath = new Set<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const r = redactText(v);
      count += r.count;
      addKinds(kinds, r.kinds);
      return r.text;
    }
    const isArray = Array.isArray(v);
    if (!isArray && !isPlainObject(v)) return v; // numbers, Dates, class instances: no free text to redact
    const obj = v as object;
    if (onPath.has(obj)) throw new TypeError('redactDeep: the value contains a cycle; evidence must be plain JSON-like data');
    onPath.add(obj);
    try {
      if (isArray) return (v as unknown[]).map(walk);
      const out = Object.create(Object.getPrototypeOf(obj) as object | null) as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        // defineProperty, not assignment: a "__proto__" key must stay a plain data property.
        Object.defineProperty(out, key, {
          value: walk((obj as Record<string, unknown>)[key]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    } finally {
      onPath.delete(obj);
    }
  };
  const redacted = walk(value) as T;
  return { value: redacted, count, kinds: Object.freeze(kinds) };
}
