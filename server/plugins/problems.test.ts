/** The problems plugin on a bare Fastify instance: 404 vs 405, and `frameworkErrors` for router errors. */
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Problem } from "../errors.ts";
import { frameworkErrors, problemsPlugin } from "./problems.ts";

const PROBLEM = "application/problem+json; charset=utf-8";

describe("problemsPlugin", () => {
  const app = Fastify({ logger: false, frameworkErrors });
  beforeAll(async () => {
    await app.register(problemsPlugin);
    app.get("/things/:id", async (request) => request.params);
    app.delete("/things/:id", async () => ({}));
    app.post("/things", async () => {
      throw new Problem(409, "perk_ended", "Over", "it ended", { retryAfter: 7 });
    });
    app.get("/boom", async () => {
      throw new Error("secret internals");
    });
    app.get("/files/*", async () => ({}));
    await app.ready();
  });
  afterAll(async () => app.close());

  it("an unknown path is 404 not_found", async () => {
    const response = await app.inject({ method: "GET", url: "/nothing/here?q=1" });
    expect(response.statusCode).toBe(404);
    expect(response.headers["content-type"]).toBe(PROBLEM);
    expect(response.json()).toEqual({ type: "urn:stampbook:problem:not_found", title: "No such route", status: 404, code: "not_found", detail: "GET /nothing/here", instance: "/nothing/here?q=1" });
  });

  it("a known path with another method is 405 method_not_allowed with Allow", async () => {
    const response = await app.inject({ method: "PUT", url: "/things/42" });
    expect(response.statusCode).toBe(405);
    expect(response.headers["content-type"]).toBe(PROBLEM);
    expect(response.headers["allow"]).toBe("GET, HEAD, DELETE");
    expect(response.json()).toEqual({
      type: "urn:stampbook:problem:method_not_allowed",
      title: "This path does not take that method",
      status: 405,
      code: "method_not_allowed",
      detail: "PUT /things/42",
      instance: "/things/42",
      allow: ["GET", "HEAD", "DELETE"],
    });
    expect((await app.inject({ method: "GET", url: "/things" })).headers["allow"]).toBe("POST");
    expect((await app.inject({ method: "POST", url: "/files/a/b" })).statusCode).toBe(405);
    // Deeper than any route: 404.
    expect((await app.inject({ method: "PUT", url: "/things/42/more" })).statusCode).toBe(404);
    // The router matches an empty parameter, so /things/ is a known path.
    expect((await app.inject({ method: "GET", url: "/things/" })).statusCode).toBe(200);
    expect((await app.inject({ method: "PUT", url: "/things/" })).statusCode).toBe(405);
  });

  it("a Problem keeps its status, code, extensions and retry-after", async () => {
    const response = await app.inject({ method: "POST", url: "/things" });
    expect(response.statusCode).toBe(409);
    expect(response.headers["retry-after"]).toBe("7");
    expect(response.json()).toEqual({ type: "urn:stampbook:problem:perk_ended", title: "Over", status: 409, code: "perk_ended", detail: "it ended", instance: "/things", retryAfter: 7 });
  });

  it("an unexpected error is 500 internal without internals", async () => {
    const response = await app.inject({ method: "GET", url: "/boom" });
    expect(response.statusCode).toBe(500);
    expect(response.headers["content-type"]).toBe(PROBLEM);
    expect(response.json()).toEqual({ type: "urn:stampbook:problem:internal", title: "Something went wrong on our side", status: 500, code: "internal", instance: "/boom" });
    expect(response.body).not.toContain("secret");
  });

  it("with frameworkErrors, router errors are problem+json too", async () => {
    const long = await app.inject({ method: "GET", url: `/things/${"a".repeat(101)}` });
    expect(long.statusCode).toBe(414);
    expect(long.headers["content-type"]).toBe(PROBLEM);
    expect(long.json()).toMatchObject({ code: "bad_request", status: 414, title: "A path segment is too long" });
    const bad = await app.inject({ method: "GET", url: "/things/%zz" });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers["content-type"]).toBe(PROBLEM);
    expect(bad.json()).toMatchObject({ code: "bad_request", status: 400, title: "The URL is not valid" });
  });
});
