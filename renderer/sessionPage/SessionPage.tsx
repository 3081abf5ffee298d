/** A session's page (issue 6): timeline, chain result, declaration, actions, closure and review. */
export function SessionPage({ sessionId }: { sessionId: string }) {
  return (
    <section aria-labelledby="view-heading">
      <h2 id="view-heading" tabIndex={-1}>Session {sessionId}</h2>
    </section>
  );
}
