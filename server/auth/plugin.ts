/**
 * Members sign in and out (`/v1/auth/*`). Features that act on a sign-in (journeys: a first sign-in
 * with an invitation) register with `app.onMemberSignIn(hook)`; hooks run in registration order.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { authRoutes, type SignInHook } from "./routes.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** Runs `hook` after every member sign-in, once the session exists. */
    onMemberSignIn(hook: SignInHook): void;
  }
}

export const authPlugin = fp(
  async (app: FastifyInstance) => {
    const hooks: SignInHook[] = [];
    app.decorate("onMemberSignIn", (hook: SignInHook) => void hooks.push(hook));
    const { config } = app;
    await app.register(authRoutes, {
      rateLimitPerMinute: config.authRateLimitPerMinute,
      secureCookies: config.publicUrl.protocol === "https:",
      sessionTtlSeconds: config.sessionTtlSeconds,
      onSignIn: async (address, context) => {
        for (const hook of hooks) await hook(address, context);
      },
    });
  },
  { name: "auth", fastify: "5.x", dependencies: ["context", "sessions", "rate-limits"] },
);
