/** The review form (issue 7): the whole session, then the reviewer's verdict. */
export function ReviewForm({ sessionId }: { sessionId: string }) {
  return (
    <section aria-labelledby="view-heading">
      <h2 id="view-heading" tabIndex={-1}>Review {sessionId}</h2>
    </section>
  );
}
