import { formatLocalDateTime, formatLocalTime, formatUtc } from '../format';

/**
 * An instant as every evidence view shows it (issue 3): the local time (`timeOnly`: without the
 * date, to the second), the UTC time beside it (or under it, `stacked`, in a table cell), and the
 * exact ISO instant in the title.
 */
export function Stamp({ iso, timeOnly = false, stacked = false }: { iso: string; timeOnly?: boolean; stacked?: boolean }) {
  const time = (
    <time dateTime={iso} title={`${formatLocalDateTime(iso)} — ${iso}`}>
      {timeOnly ? formatLocalTime(iso) : formatLocalDateTime(iso)}
    </time>
  );
  const utc = formatUtc(iso, { seconds: timeOnly });
  if (stacked) {
    return (
      <>
        {time}
        <span className="utc block">{utc}</span>
      </>
    );
  }
  return (
    <span className="sp-stamp">
      {time} <span className="utc">({utc})</span>
    </span>
  );
}
