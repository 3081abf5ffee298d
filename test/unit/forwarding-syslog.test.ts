import { describe, expect, it } from 'vitest';
import { recordEvent } from '../../app/forwarding/ocsf';
import { asciiJson, octetCountedFrame, syslogMessage, syslogSeverity } from '../../app/forwarding/syslog';
import { SYSLOG_FACILITIES } from '../../app/forwarding/policy';
import { itemOfEveryType, TEST_PRODUCT } from '../support/forwardItems';

const ITEMS = itemOfEveryType();

/** Splits an octet-counted stream back into messages (RFC 6587 §3.4.1), counting bytes, not characters. */
function unframe(stream: string): string[] {
  const bytes = Buffer.from(stream, 'utf8');
  const out: string[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const space = bytes.indexOf(0x20, pos);
    const len = Number(bytes.toString('latin1', pos, space));
    out.push(bytes.toString('utf8', space + 1, space + 1 + len));
    pos = space + 1 + len;
  }
  return out;
}

describe('RFC 5424 messages with RFC 5425 octet counting (issue 19)', () => {
  const header = { facility: SYSLOG_FACILITIES.authpriv, appName: 'breakglass' };

  it('writes <PRI>1 TIMESTAMP HOSTNAME APP-NAME - MSGID - MSG, the MSG being the event', () => {
    const e = recordEvent(ITEMS.declared, TEST_PRODUCT);
    const m = syslogMessage(e, header);
    // authpriv (10) * 8 + critical (2) for a High event.
    expect(m.startsWith(`<82>1 2026-11-28T09:48:26.000Z admin-01 breakglass - declared - {`)).toBe(true);
    expect(JSON.parse(m.slice(m.indexOf(' - {') + 3))).toEqual(e);
  });

  it('maps OCSF severities onto syslog severities', () => {
    expect([1, 2, 3, 4, 5, 6].map(syslogSeverity)).toEqual([6, 5, 4, 2, 1, 0]);
    expect(syslogMessage(recordEvent(ITEMS.note, TEST_PRODUCT), { facility: SYSLOG_FACILITIES.local0, appName: 'bg' })).toMatch(/^<134>1 /);
  });

  it('frames each message with its length in octets, so a stream of several splits back exactly', () => {
    const events = Object.values(ITEMS).map((i) => recordEvent(i, TEST_PRODUCT));
    const stream = events.map((e) => octetCountedFrame(syslogMessage(e, header))).join('');
    expect(unframe(stream).map((m) => JSON.parse(m.slice(m.indexOf(' - {') + 3)))).toEqual(events);
  });

  it('keeps the message ASCII (no BOM needed): names and text outside ASCII travel as JSON escapes', () => {
    const item = ITEMS.note;
    const e = recordEvent({ ...item, record: { ...item.record, actor: { name: 'Zoë Ōtsuka 😀', email: 'zoe@example.com' }, host: { id: 'host-a', name: 'hôte 01' } } as typeof item.record }, TEST_PRODUCT);
    const m = syslogMessage(e, header);
    expect(/^[\x20-\x7e]*$/.test(m)).toBe(true);
    expect(m).toContain(' h_te_01 breakglass ');
    expect(JSON.parse(asciiJson(e))).toEqual(e);
    expect(octetCountedFrame(m).startsWith(`${Buffer.byteLength(m)} `)).toBe(true);
  });
});
