/**
 * The members-only page, decided on the server for each request: the gate reads the member's
 * session cookie (the entitlement their browser handed over) and checks it offline. The members'
 * content is rendered only when the gate says yes, so nobody else's HTML ever carries it; anyone
 * else reads why, and how to join.
 */
import { headers } from "next/headers";
import { MembersLocked } from "../../components/MembersLocked";
import { MembersOnly } from "../../components/MembersOnly";
import { MEMBERS_ONLY } from "../../lib/members-only";
import { stampbookServer } from "../../lib/stampbook-server";

export default async function MembersPage() {
  const gate = await stampbookServer().requireMembership({ headers: await headers() }, MEMBERS_ONLY);
  return gate.ok ? <MembersOnly member={gate.member} /> : <MembersLocked reason={gate.reason} message={gate.message} />;
}
