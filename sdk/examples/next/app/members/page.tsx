/** The members-only page. */
export default function MembersPage() {
  return (
    <section className="panel locked-page">
      <h1>Members only</h1>
      <p>This page is for Gold members. Sign in on the home page to see whether you are one.</p>
    </section>
  );
}
