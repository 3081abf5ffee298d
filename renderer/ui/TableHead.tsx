/**
 * A table's header row: one column header per name, and, where the last column holds only a
 * button or a link, a header for screen readers alone (`hidden`).
 */
export function TableHead({ columns, hidden }: { columns: readonly string[]; hidden?: string }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
        {hidden && (
          <th scope="col">
            <span className="visually-hidden">{hidden}</span>
          </th>
        )}
      </tr>
    </thead>
  );
}
