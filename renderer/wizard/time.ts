/**
 * The expiry as the wizard shows it (issue 4: "the exact expiry time shown in local time and
 * UTC"): to the second, with the date, in the local zone (named) and in UTC. Built once.
 */
const local = new Intl.DateTimeFormat(undefined, {
  weekday: 'short', year: 'numeric', month: 'short', day: 'numeric',
  hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short',
});
const utc = new Intl.DateTimeFormat(undefined, {
  timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** "Sat, Nov 28, 2026, 03:48:26 PM GMT+5:30". */
export function localStamp(d: Date): string {
  return local.format(d);
}

/** "2026-11-28 10:18:26 UTC" (the seed's UTC form, readable). */
export function utcStamp(d: Date): string {
  const parts = Object.fromEntries(utc.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} UTC`;
}
