/**
 * Who is calling. Members present a session (the httpOnly cookie browsers keep, or
 * `Authorization: Bearer sbs_…` from other clients); brands present an API key
 * (`Authorization: Bearer sbk_…`) or a staff session (the `stampbook_staff` cookie, or
 * `Authorization: Bearer sbt_…`); the deployment's operator presents OPERATOR_TOKEN. Routes opt in
 * with `preHandler: app.requireMember`, `app.requireBrand`, `app.requireStaff` or
 * `app.requireOperator`, and then read `request.member` / `request.brand` / `request.staff`.
 *
 * A brand route says which staff role it needs with `config: { staffRole }` (default `manager`): a
 * till may only do what is marked `till`, staff management is marked `owner`. An API key acts as a
 * manager. Staff are checked before the body is read or validated: a till learns nothing of a route
 * it may not call.
 *
 * Browsers send the cookie with requests other sites start, so a state change made with the cookie
 * must come from an allowed origin (CSRF). A bearer token cannot be attached cross-site: no check.
 */
import type {} from "@fastify/cookie";
import { timingSafeEqual } from "node:crypto";
import fp from "fastify-plugin";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Address } from "viem";
import { bearerToken, SESSION_COOKIE, STAFF_COOKIE } from "../auth/credentials.ts";
import type { AuthService } from "../auth/sessions.ts";
import { API_KEY_PREFIX } from "../auth/tokens.ts";
import { Problem } from "../errors.ts";
import type { Brand } from "../brands/types.ts";
import { roleAllows } from "../staff/roles.ts";
import type { StaffSession, StaffSessions } from "../staff/sessions.ts";
import { STAFF_TOKEN_PREFIX } from "../staff/tokens.ts";
import type { StaffRole } from "../staff/types.ts";
import { sha256Hex } from "../storage/index.ts";

export type Member = { address: Address; chainId: number; token: string };

/** A staff member calling: their session, and their role once a brand route checked it (null under `requireStaff` alone). */
export type StaffCaller = StaffSession & { token: string; role: StaffRole | null };

declare module "fastify" {
  interface FastifyInstance {
    auth: AuthService;
    staff: StaffSessions;
    requireMember: (request: FastifyRequest) => Promise<void>;
    requireBrand: (request: FastifyRequest) => Promise<void>;
    requireStaff: (request: FastifyRequest) => Promise<void>;
    requireOperator: (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    member: Member | null;
    brand: Brand | null;
    staff: StaffCaller | null;
  }
  interface FastifyContextConfig {
    /** The least staff role a brand route needs (default `manager`). */
    staffRole?: StaffRole;
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export type AuthenticationOptions = {
  auth: AuthService;
  /**
   * Whether a page at this origin (the Origin header, exactly: "https://shop.example/" is no match)
   * may change state with the session cookie, e.g. https://shop.example.
   */
  isAllowedOrigin: (origin: string) => Promise<boolean>;
  /** The operator's credential (creates brands); null: operator routes answer 401 to everyone. */
  operatorToken: string | null;
  staff: StaffSessions;
};

export const authenticationPlugin = fp(
  async (app: FastifyInstance, opts: AuthenticationOptions) => {

    app.decorate("auth", opts.auth);
    app.decorate("staff", opts.staff);
    app.decorateRequest("member", null);
    app.decorateRequest("brand", null);
    app.decorateRequest("staff", null);

    /** Refuses a state change made with a cookie unless an allowed origin sent it; checked before any lookup. */
    async function checkOrigin(request: FastifyRequest, viaCookie: boolean): Promise<void> {
      if (!viaCookie || SAFE_METHODS.has(request.method)) return;
      const origin = request.headers.origin;
      if (origin === undefined || !(await opts.isAllowedOrigin(origin))) {
        throw new Problem(403, "origin_not_allowed", "This request did not come from an allowed origin", "A change made with the session cookie must send the Origin header of an allowed site; other clients send Authorization: Bearer <session token>.");
      }
    }

    app.decorate("requireMember", async (request: FastifyRequest) => {
      const bearer = bearerToken(request);
      const token = bearer ?? request.cookies[SESSION_COOKIE] ?? null;
      if (token === null) throw new Problem(401, "unauthenticated", "Sign in first", "Send the session cookie or Authorization: Bearer <session token>.");
      // Checked before the session is looked up: a forged request gets no further.
      await checkOrigin(request, bearer === null);
      const holder = await opts.auth.authenticate(token);
      if (holder === null) throw new Problem(401, "session_expired", "The session is unknown, expired or signed out", "Sign in again.");
      request.member = { ...holder, token };
    });

    /** The staff token a request carries: `Bearer sbt_…`, or the staff cookie when it sends no Authorization. */
    function staffCredential(request: FastifyRequest): { token: string; viaCookie: boolean } | null {
      const bearer = bearerToken(request);
      if (bearer !== null) return bearer.startsWith(STAFF_TOKEN_PREFIX) ? { token: bearer, viaCookie: false } : null;
      const cookie = request.cookies[STAFF_COOKIE];
      return cookie === undefined ? null : { token: cookie, viaCookie: true };
    }

    async function staffSession(request: FastifyRequest, credential: { token: string; viaCookie: boolean }): Promise<StaffSession> {
      await checkOrigin(request, credential.viaCookie);
      const session = await opts.staff.authenticate(credential.token);
      if (session === null) throw new Problem(401, "session_expired", "The staff session is unknown, expired or signed out", "Sign in again.");
      return session;
    }

    const neededRole = (request: FastifyRequest): StaffRole => request.routeOptions.config.staffRole ?? "manager";

    /** A staff session acting for its brand: its role, re-read at most every STAFF_ROLE_CACHE_MS, must cover the route's. */
    async function authorizeStaff(request: FastifyRequest, credential: { token: string; viaCookie: boolean }): Promise<void> {
      const session = await staffSession(request, credential);
      const { brand, role } = await opts.staff.roles.access(session.brandId, session.address);
      const needed = neededRole(request);
      if (!roleAllows(role, needed)) {
        throw new Problem(403, "role_forbidden", "Your staff role does not allow this", `This needs the ${needed} role or higher; you are a ${role}.`, { role, needed });
      }
      request.brand = brand;
      request.staff = { ...session, token: credential.token, role };
    }

    async function requireBrand(request: FastifyRequest): Promise<void> {
      // Already checked when the request arrived (staffGate).
      if (request.staff?.role) return;
      const credential = staffCredential(request);
      if (credential !== null) return authorizeStaff(request, credential);
      const key = bearerToken(request);
      if (key === null || !key.startsWith(API_KEY_PREFIX)) {
        throw new Problem(401, "unauthenticated", "A brand API key is required", "Send Authorization: Bearer sbk_…");
      }
      const brand = await app.store.findBrandByApiKeyHash(sha256Hex(key));
      if (brand === null) throw new Problem(401, "unauthenticated", "The API key is unknown or revoked");
      // An API key acts as a manager: what only an owner may do needs an owner's staff session.
      if (!roleAllows("manager", neededRole(request))) {
        throw new Problem(403, "role_forbidden", "An API key cannot do this", "Only an owner may: sign in as staff with a wallet holding the collection's admin role.", { role: "manager", needed: neededRole(request) });
      }
      request.brand = brand;
    }
    app.decorate("requireBrand", requireBrand);

    // Staff are checked when the request arrives, before its body is read or validated; API keys
    // keep their place (the route's own hook).
    async function staffGate(request: FastifyRequest): Promise<void> {
      const header = request.headers.authorization;
      const staffCarried = header === undefined ? request.cookies[STAFF_COOKIE] !== undefined : header.startsWith(`Bearer ${STAFF_TOKEN_PREFIX}`);
      if (staffCarried) await authorizeStaff(request, staffCredential(request)!);
    }
    app.addHook("onRoute", (route) => {
      if (![route.preHandler ?? []].flat().includes(requireBrand)) return;
      route.onRequest = [...[route.onRequest ?? []].flat(), staffGate];
    });

    app.decorate("requireStaff", async (request: FastifyRequest) => {
      const credential = staffCredential(request);
      if (credential === null) throw new Problem(401, "unauthenticated", "A staff session is required", "Sign in as staff: send the stampbook_staff cookie or Authorization: Bearer sbt_…");
      request.staff = { ...(await staffSession(request, credential)), token: credential.token, role: null };
    });

    // Compared as digests, in constant time: the token's length and content leak nothing.
    const operatorDigest = opts.operatorToken === null ? null : Buffer.from(sha256Hex(opts.operatorToken), "hex");
    app.decorate("requireOperator", async (request: FastifyRequest) => {
      const token = bearerToken(request);
      if (operatorDigest === null) throw new Problem(401, "unauthenticated", "Operator access is not configured", "The operator sets OPERATOR_TOKEN on the server.");
      if (token === null || !timingSafeEqual(Buffer.from(sha256Hex(token), "hex"), operatorDigest)) {
        throw new Problem(401, "unauthenticated", "The operator token is required", "Send Authorization: Bearer <OPERATOR_TOKEN>.");
      }
    });
  },
  { name: "authentication", fastify: "5.x", dependencies: ["storage"] },
);
