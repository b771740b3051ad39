"use client";
/**
 * The home page's member part. Until the browser has looked for a saved session (never on the
 * server) it says so, which keeps the server's HTML and the first browser render the same.
 */
import { useMember } from "@stampbook/sdk/react";
import { useStorefrontConfig } from "../lib/stampbook";
import { Journeys } from "./Journeys";
import { Perks } from "./Perks";
import { SignInPanel } from "./SignInPanel";
import { Standing } from "./Standing";

export function MemberHome() {
  const config = useStorefrontConfig();
  const { isSignedIn, isRestoring } = useMember();
  if (isRestoring) return <p className="panel muted">Checking whether you are signed in…</p>;
  if (!isSignedIn) return <SignInPanel brandName={config.brandName} />;
  return (
    <div id="member">
      <Standing />
      <Perks />
      <Journeys />
    </div>
  );
}
