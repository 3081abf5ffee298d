/** Closed sessions awaiting their post-incident review (issue 7). */
export function Reviews() {
  return (
    <section aria-labelledby="view-heading">
      <h2 id="view-heading" tabIndex={-1}>Reviews</h2>
    </section>
  );
}
