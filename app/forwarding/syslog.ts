import type { OcsfEvent } from './ocsf';

/**
 * RFC 5424 syslog messages carrying one OCSF event each, framed by octet counting (RFC 5425 §4.3,
 * RFC 6587 §3.4.1) for a TLS or TCP stream. The JSON is written in pure ASCII (every other
 * character as a \u escape), so MSG needs no byte-order mark and its length in octets is its
 * length in characters.
 */

/** OCSF severity_id → syslog severity (RFC 5424 §6.2.1): Informational is info, Low notice, Medium warning, High critical, Critical alert, Fatal emergency. */
const SYSLOG_SEVERITY: Readonly<Record<number, number>> = { 1: 6, 2: 5, 3: 4, 4: 2, 5: 1, 6: 0 };

/** The syslog severity of an OCSF severity_id (notice for Unknown and Other). */
export function syslogSeverity(severityId: number): number {
  return SYSLOG_SEVERITY[severityId] ?? 5;
}

/** JSON with every non-ASCII code unit escaped (still the same JSON value). */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A header field of RFC 5424: printable US-ASCII without spaces, at most `max` characters, "-" when empty. */
function headerField(value: string, max: number): string {
  const clean = value.replace(/[^!-~]/g, '_').slice(0, max);
  return clean === '' ? '-' : clean;
}

/** Options of the syslog header. */
export interface SyslogHeader {
  /** The facility number (RFC 5424 §6.2.1), e.g. 10 for authpriv. */
  facility: number;
  appName: string;
}

/** One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME - MSGID - MSG`, MSG being the event's JSON. */
export function syslogMessage(event: OcsfEvent, header: SyslogHeader): string {
  const pri = header.facility * 8 + syslogSeverity(event.severity_id);
  const timestamp = new Date(event.time).toISOString();
  const hostname = headerField(event.device.hostname, 255);
  const msgid = headerField(event.metadata.event_code, 32);
  return `<${pri}>1 ${timestamp} ${hostname} ${headerField(header.appName, 48)} - ${msgid} - ${asciiJson(event)}`;
}

/** The octet-counted frame of one message (`MSG-LEN SP SYSLOG-MSG`); the message is ASCII, so characters are octets. */
export function octetCountedFrame(message: string): string {
  return `${message.length} ${message}`;
}
