/** The shape every error answer must have: RFC 9457 problem+json with the stable code. */
import { expect } from "vitest";

type Answer = { statusCode: number; body: string; headers: Record<string, unknown>; json: () => any };

/** Asserts `response` is the problem `code` with `status`, and returns its body. */
export function expectProblem(response: Answer, status: number, code: string) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers["content-type"]).toBe("application/problem+json; charset=utf-8");
  const body = response.json();
  expect(body).toMatchObject({ type: `urn:stampbook:problem:${code}`, status, code });
  expect(typeof body.title).toBe("string");
  expect(body.title.length).toBeGreaterThan(0);
  return body;
}
