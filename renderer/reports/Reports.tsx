/** Audit reports per session and per period (issue 7). */
export function Reports() {
  return (
    <section aria-labelledby="view-heading">
      <h2 id="view-heading" tabIndex={-1}>Reports</h2>
    </section>
  );
}
