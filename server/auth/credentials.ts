/** Where a request carries its credentials: the session cookies' names, and the bearer token. */
import type { FastifyRequest } from "fastify";
import { Problem } from "../errors.ts";

/** A member's session cookie (httpOnly; the bearer token is the same value). */
export const SESSION_COOKIE = "stampbook_session";
/** A staff member's session cookie. */
export const STAFF_COOKIE = "stampbook_staff";

/** The bearer token of the request, if it sent one. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/.exec(header);
  if (!match) throw new Problem(401, "unauthenticated", "Malformed Authorization header", "Use: Authorization: Bearer <token>");
  return match[1]!;
}
