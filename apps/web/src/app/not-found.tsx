import Link from "next/link";

export default function NotFound() {
  return (
    <section className="panel">
      <h1>Not found</h1>
      <p className="muted">There is nothing at this address.</p>
      <Link href="/">Back to the overview</Link>
    </section>
  );
}
