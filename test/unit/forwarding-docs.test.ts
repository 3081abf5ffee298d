import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkpointEvent, recordEvent } from '../../app/forwarding/ocsf';
import { RECORD_TYPES, type RecordType } from '../../app/records';
import { itemOfEveryType, TEST_PRODUCT } from '../support/forwardItems';

/** The examples of docs/forwarding.md are the events the code produces, so the documentation cannot drift from it. */
const DOC = readFileSync(fileURLToPath(new URL('../../docs/forwarding.md', import.meta.url)), 'utf8');

function example(name: string): unknown {
  const m = new RegExp(`^#### \`${name}\`[^\\n]*\\n\`\`\`json\\n([\\s\\S]*?)\\n\`\`\`$`, 'm').exec(DOC);
  if (!m) throw new Error(`docs/forwarding.md has no example for ${name}`);
  return JSON.parse(m[1]!);
}

describe('docs/forwarding.md (issue 19: the mapping per record type, with an example of each)', () => {
  const items = itemOfEveryType();

  it.each(RECORD_TYPES)('the %s example is the event the forwarder sends for that record', (type: RecordType) => {
    expect(example(type)).toEqual(recordEvent(items[type], TEST_PRODUCT));
  });

  it('the checkpoint example is a checkpoint event', () => {
    const cp = checkpointEvent({ host: { id: 'host-a', name: 'admin-01' }, commit: '9f3a1c0e5b7d2f4a6c8e0b1d3f5a7c9e1b3d5f70', records: 1234, ownRecords: 310, at: Date.parse('2026-11-28T12:00:00Z') }, TEST_PRODUCT);
    expect(example('checkpoint')).toEqual(cp);
  });

  it('the mapping table names every record type with the class its example has', () => {
    for (const type of RECORD_TYPES) {
      const row = DOC.split('\n').find((l) => l.startsWith(`| \`${type}\` |`));
      const event = recordEvent(items[type], TEST_PRODUCT);
      expect(row, type).toContain(`(${event.class_uid})`);
    }
  });
});
