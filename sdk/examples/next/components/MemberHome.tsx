"use client";
/**
 * The home page's member part. Until the browser has looked for a saved session (never on the
 * server) it says so, which keeps the server's HTML and the first browser render the same.
 */
import { useSession } from "../lib/session";
import { useStampbook } from "../lib/stampbook";
import { Journeys } from "./Journeys";
import { Perks } from "./Perks";
import { SignInPanel } from "./SignInPanel";
import { Standing } from "./Standing";

export function MemberHome() {
  const { config } = useStampbook();
  const session = useSession();
  if (session.isPending) return <p className="panel muted">Checking whether you are signed in…</p>;
  if (!session.data) return <SignInPanel brandName={config.brandName} />;
  const { address } = session.data;
  return (
    <div id="member">
      <Standing address={address} />
      <Perks address={address} />
      <Journeys address={address} />
    </div>
  );
}
