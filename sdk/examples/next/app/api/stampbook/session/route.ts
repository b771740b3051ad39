/**
 * The storefront's session endpoint, on its own origin: POST hands over a member's entitlement (the
 * gate verifies it and keeps it in an httpOnly cookie), DELETE ends it (sign-out). Both are refused
 * unless they come from this site's pages through the SDK (CSRF).
 */
import { stampbookServer } from "../../../../lib/stampbook-server";

export const POST = (request: Request) => stampbookServer().handleSession(request);
export const DELETE = POST;
