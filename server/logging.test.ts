/**
 * Errors log as a few bounded facts: a viem error whose message carries megabytes of calldata, call
 * arguments and RPC bodies becomes one short line, on its own and through the app's logger.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BaseError, createPublicClient, http, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stampbookCollectionAbi } from "../contracts/bindings/index.ts";
import { build } from "./app.ts";
import { loadConfig } from "./config.ts";
import { Problem } from "./errors.ts";
import { boundedError, throttled } from "./logging.ts";
import { SqliteStore } from "./storage/index.ts";

const LINE_MAX = 1024;
const LONG_HEX = /(?:0x)?[0-9a-f]{67,}/i;
const COLLECTION: Address = `0x${"c1".repeat(20)}`;
const MEMBER: Address = `0x${"a1".repeat(20)}`;
// Ids this large make each of the 5,000 words of calldata a long hex run of its own.
const IDS = Array.from({ length: 5_000 }, (_, i) => 10n ** 60n + BigInt(i));

/** What must never reach a log line or a response: the JSON-RPC request and its parts. */
function expectNoRequestData(text: string) {
  expect(text).not.toMatch(LONG_HEX);
  expect(text).not.toContain("jsonrpc");
  expect(text).not.toContain("eth_call");
  expect(text).not.toContain("Request body");
}

/**
 * A JSON-RPC endpoint that fails every call, echoing what it was sent: `/reverted` answers an RPC
 * error whose message repeats the calldata and whose data is 100 kB of hex; `/bad-gateway` answers
 * HTTP 500 with the whole request body.
 */
function failingRpc(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      if (request.url === "/bad-gateway") {
        response.writeHead(500, { "content-type": "text/plain" }).end(`upstream failed on ${body}`);
        return;
      }
      const calls = [JSON.parse(body)].flat() as { id: number; params: [{ data: string }] }[];
      const answers = calls.map((call) => ({
        jsonrpc: "2.0",
        id: call.id,
        error: { code: -32000, message: `execution reverted: ${call.params[0].data}`, data: `0x08c379a0${"ab".repeat(50_000)}` },
      }));
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answers.length === 1 ? answers[0] : answers));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

/** The error a `holdingsOf` read over {@link IDS} throws against `url`. */
async function holdingsError(url: string): Promise<unknown> {
  const client = createPublicClient({ transport: http(url, { retryCount: 0 }) });
  return client.readContract({ address: COLLECTION, abi: stampbookCollectionAbi, functionName: "holdingsOf", args: [MEMBER, IDS] }).then(
    () => expect.fail("the read succeeded"),
    (error: unknown) => error,
  );
}

let rpc: { server: Server; url: string };
beforeAll(async () => {
  rpc = await failingRpc();
});
afterAll(() => new Promise<void>((resolve) => rpc.server.close(() => resolve())));

describe("boundedError", () => {
  it("reduces a viem error carrying megabytes of calldata to its short message, code and status", async () => {
    const reverted = await holdingsError(`${rpc.url}/reverted`);
    const badGateway = await holdingsError(`${rpc.url}/bad-gateway`);
    for (const error of [reverted, badGateway]) {
      expect(error).toBeInstanceOf(BaseError);
      expect((error as Error).message.length).toBeGreaterThan(500_000);
      const json = JSON.stringify(boundedError(error));
      expect(Buffer.byteLength(json)).toBeLessThan(LINE_MAX);
      expectNoRequestData(json);
    }
    // The node's own words stay, its data does not.
    expect(boundedError(reverted)).toMatchObject({
      type: "ContractFunctionExecutionError",
      cause: { type: "InvalidInputRpcError", code: -32000, cause: { type: "RpcRequestError", cause: { message: expect.stringMatching(/^execution reverted: 0x…\(\d+ bytes\)$/) } } },
    });
    expect(boundedError(badGateway)).toEqual({
      type: "ContractFunctionExecutionError",
      message: "HTTP request failed.",
      cause: { type: "HttpRequestError", message: "HTTP request failed.", status: 500 },
      stack: "",
    });
  });

  it("keeps the deepest cause that says something new, e.g. the refused connection", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const reduced = boundedError(await holdingsError(`http://127.0.0.1:${port}`));
    expect(reduced).toMatchObject({ type: "ContractFunctionExecutionError", message: "HTTP request failed.", cause: { type: "TypeError", cause: { code: "ECONNREFUSED" } } });
  });

  it("uses a viem error's shortMessage, never its details, metaMessages or stack", () => {
    const error = new BaseError("Short and safe.", { details: "secret details", metaMessages: ["secret meta"] });
    expect(boundedError(error)).toEqual({ type: "BaseError", message: "Short and safe.", stack: "" });
  });

  it("cuts other errors to one line of 200 characters and three stack frames", () => {
    const error = new Error(`first line\n    at fake (frame.ts:1:1)\n${"0x" + "ff".repeat(40_000)} ${"word ".repeat(20_000)}`);
    const reduced = boundedError(error);
    expect(reduced.type).toBe("Error");
    expect(reduced.message).toMatch(/^first line at fake \(frame\.ts:1:1\) 0x…\(40000 bytes\) word word/);
    expect(reduced.message.length).toBeLessThanOrEqual(200);
    const frames = reduced.stack.split("\n");
    expect(frames.length).toBeLessThanOrEqual(3);
    for (const frame of frames) expect(frame).toMatch(/^at /);
    // Frames come from the stack's frames, not from message lines that look like them.
    expect(reduced.stack).not.toContain("frame.ts");
  });

  it("stays bounded whatever the chain: huge names, codes and messages, deep and looping", () => {
    const huge = (label: string) => {
      const error = new Error(`${label} ${"é\"".repeat(50_000)}`) as Error & { code: string };
      error.name = "N".repeat(10_000);
      error.code = "C".repeat(10_000);
      return error;
    };
    const top = huge("top");
    let below: Error = top;
    for (let depth = 0; depth < 8; depth++) below = below.cause = huge(`level ${depth}`);
    below.cause = top;
    expect(Buffer.byteLength(JSON.stringify(boundedError(top)))).toBeLessThan(LINE_MAX);

    const loop = new Error("again");
    loop.cause = loop;
    expect(boundedError(loop)).toEqual({ type: "Error", message: "again", stack: expect.stringMatching(/^at /) });
  });

  it("takes anything thrown, not only errors", () => {
    expect(boundedError("plain text")).toEqual({ type: "string", message: "plain text", stack: "" });
    expect(boundedError(null)).toEqual({ type: "null", message: "null", stack: "" });
    expect(boundedError({ code: -32005, message: "limit exceeded", data: "0x" + "00".repeat(1_000) })).toEqual({ type: "Object", message: "limit exceeded", code: -32005, stack: "" });
  });
});

describe("the app's log lines", () => {
  const lines: string[] = [];
  const store = SqliteStore.open(":memory:");
  let app: Awaited<ReturnType<typeof build>>;

  beforeAll(async () => {
    const reverted = await holdingsError(`${rpc.url}/reverted`);
    // No chain index: its follower's own lines about the failing node are not a request's.
    const config = loadConfig({ PUBLIC_URL: "http://localhost:8787", DATABASE_URL: "sqlite::memory:", RPC_URL: `${rpc.url}/bad-gateway`, CLAIM_SWEEP_MS: "86400000", CHAIN_INDEX: "false" });
    app = await build({ config, store, logger: { level: "info", stream: { write: (line) => lines.push(line) } } });
    // What a route does when the chain cannot be read; the app's own client reads through /bad-gateway.
    app.get("/boom/chain", async () => {
      await app.chain.client.readContract({ address: COLLECTION, abi: stampbookCollectionAbi, functionName: "holdingsOf", args: [MEMBER, IDS] }).catch((error: unknown) => {
        throw new Problem(503, "chain_unavailable", "The chain cannot be read right now").withCause(error);
      });
    });
    app.get("/boom/reverted", async () => {
      throw new Problem(503, "chain_unavailable", "The chain cannot be read right now").withCause(reverted);
    });
    app.get("/boom/uncaused", async () => {
      throw new Problem(503, "chain_unavailable", "The chain cannot be read right now", "No RPC endpoint answered.");
    });
    // A viem error nobody caught: the 500 branch.
    app.get("/boom/unwrapped", async () => {
      throw reverted;
    });
    app.get("/boom/plain", async () => {
      throw new Error(`secret ${"0x" + "ee".repeat(20_000)} ${"x".repeat(100_000)}`);
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it("one failure is one bounded warn or error line without request data, and the answer has none either", async () => {
    const cases = [
      { url: "/boom/chain", status: 503, level: 40, type: "ContractFunctionExecutionError" },
      { url: "/boom/reverted", status: 503, level: 40, type: "ContractFunctionExecutionError" },
      { url: "/boom/uncaused", status: 503, level: 40, type: "Problem" },
      { url: "/boom/unwrapped", status: 500, level: 50, type: "ContractFunctionExecutionError" },
      { url: "/boom/plain", status: 500, level: 50, type: "Error" },
    ];
    for (const { url, status, level, type } of cases) {
      lines.length = 0;
      const response = await app.inject({ method: "GET", url });
      expect(response.statusCode).toBe(status);
      expectNoRequestData(response.body);
      expect(response.body).not.toContain("HTTP request failed");
      expect(response.body).not.toContain("secret");

      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(Buffer.byteLength(line)).toBeLessThan(LINE_MAX);
        expectNoRequestData(line);
      }
      const failures = lines.map((line) => JSON.parse(line)).filter((entry) => entry.level >= 40);
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ level, err: { type } });
    }
  });
});

describe("throttled", () => {
  it("reports a key at most once per interval, each key on its own", () => {
    const seen: string[] = [];
    const report = throttled(60_000, (key) => seen.push(key));
    for (let i = 0; i < 5; i++) report("brand-a", new Error("down"));
    report("brand-b", new Error("down"));
    expect(seen).toEqual(["brand-a", "brand-b"]);
  });
});
