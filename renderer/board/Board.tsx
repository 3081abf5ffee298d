/** The commander's board (issue 6): every session the repository knows, grouped by state. */
export function Board() {
  return (
    <section aria-labelledby="view-heading">
      <h2 id="view-heading" tabIndex={-1}>Sessions board</h2>
    </section>
  );
}
