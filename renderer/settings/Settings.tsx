/** Remote, fetch schedule, terminal and observer settings (issue 6). */
export function Settings() {
  return (
    <section aria-labelledby="view-heading">
      <h2 id="view-heading" tabIndex={-1}>Settings</h2>
    </section>
  );
}
