/**
 * Delivery attempts against real local receivers (node:http on 127.0.0.1 and ::1): answers are
 * recorded, and private targets, redirects, silence and plain http are refused or bounded. Name
 * resolution is injected where the test needs a name to point somewhere.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Socket, type AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { checkWebhookUrl } from "./address-guard.ts";
import { deliverWebhook, type DeliveryRequest } from "./deliver.ts";

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;
type Receiver = { server: Server; url: string; hits: { headers: IncomingMessage["headers"]; body: string }[] };

const open: Server[] = [];
async function receiver(handler: Handler, host = "127.0.0.1"): Promise<Receiver> {
  const hits: Receiver["hits"] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      hits.push({ headers: request.headers, body });
      handler(request, response, body);
    });
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, host, resolve));
  open.push(server);
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/hooks`, hits };
}
afterAll(async () => {
  for (const server of open) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const body = JSON.stringify({ type: "member.joined", timestamp: "2025-01-01T00:00:00.000Z", data: {} });
const headers = { "webhook-id": "msg_1", "webhook-timestamp": "1700000000", "webhook-signature": "v1,abc", "content-type": "application/json" };
const local = { headers, body, allowPrivate: true, allowHttp: true } as const;
const strict = { headers, body, allowPrivate: false, allowHttp: true } as const;
const resolvesTo =
  (...addresses: string[]): DeliveryRequest["lookup"] =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

let ok: Receiver;
let big: Receiver;
beforeAll(async () => {
  ok = await receiver((_request, response) => response.writeHead(202, { "content-type": "text/plain" }).end("thanks"));
  big = await receiver((_request, response) => response.writeHead(500).end("x".repeat(100_000)));
});

// Every socket connect in the process, to tell a refusal made before connecting from one made after.
const connects = vi.spyOn(Socket.prototype, "connect");
afterEach(() => connects.mockClear());

describe("deliverWebhook to a receiver it may reach", () => {
  it("delivers the body and headers and records status and excerpt", async () => {
    const result = await deliverWebhook({ ...local, url: ok.url });
    expect(result).toMatchObject({ status: 202, ok: true, excerpt: "thanks", error: null });
    expect(result.refused).toBeUndefined();
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    // The spy the refusals below rely on does see a delivery's connection.
    expect(connects).toHaveBeenCalled();
    const hit = ok.hits.at(-1)!;
    expect(hit.body).toBe(body);
    expect(hit.headers).toMatchObject({ "webhook-id": "msg_1", "webhook-signature": "v1,abc", "content-type": "application/json", "user-agent": "Stampbook-Webhooks/1" });
  });

  it("keeps a bounded excerpt of a long answer, and a non-2xx is not ok", async () => {
    expect(await deliverWebhook({ ...local, url: big.url })).toMatchObject({ status: 500, ok: false, excerpt: "x".repeat(1024), error: null });
    expect((await deliverWebhook({ ...local, url: big.url, maxExcerptBytes: 10 })).excerpt).toBe("x".repeat(10));
  });

  it("reaches ::1 too", async (context) => {
    const v6 = await receiver((_request, response) => response.writeHead(200).end("ok"), "::1").catch(() => null);
    if (v6 === null) return context.skip(); // no IPv6 loopback on this machine
    expect(await deliverWebhook({ ...local, url: v6.url })).toMatchObject({ status: 200, ok: true, excerpt: "ok" });
  });

  it("connects to the address it resolved and judged, sending the URL's host name", async () => {
    const port = new URL(ok.url).port;
    const result = await deliverWebhook({ ...local, url: `http://hooks.shop.test:${port}/hooks`, lookup: resolvesTo("127.0.0.1") });
    expect(result).toMatchObject({ status: 202, ok: true });
    expect(ok.hits.at(-1)!.headers.host).toBe(`hooks.shop.test:${port}`);
  });

  it("does not follow a redirect, even one to an allowed address", async () => {
    const redirect = await receiver((_request, response) => response.writeHead(302, { location: ok.url }).end());
    const before = ok.hits.length;
    expect(await deliverWebhook({ ...local, url: redirect.url })).toMatchObject({ status: 302, ok: false, error: null });
    expect(ok.hits.length).toBe(before);
  });

  it("gives up on a receiver that never answers at timeoutMs", async () => {
    const silent = await receiver(() => {});
    const result = await deliverWebhook({ ...local, url: silent.url, timeoutMs: 300 });
    expect(result).toMatchObject({ status: null, ok: false, excerpt: "" });
    expect(result.error).toMatch(/did not answer within 300 ms/);
    expect(result.latencyMs).toBeGreaterThanOrEqual(290);
    expect(result.latencyMs).toBeLessThan(2000);
  });

  it("gives up on a receiver that sends its status and then stalls", async () => {
    const stalling = await receiver((_request, response) => response.writeHead(200).write("partial"));
    const result = await deliverWebhook({ ...local, url: stalling.url, timeoutMs: 300 });
    expect(result).toMatchObject({ status: 200, ok: false, excerpt: "partial" });
    expect(result.error).toMatch(/did not answer within 300 ms/);
  });

  it("reports a refused connection and an unresolvable name as errors, without throwing", async () => {
    const closed = await receiver(() => {});
    const url = closed.url;
    await new Promise((resolve) => closed.server.close(resolve));
    const refused = await deliverWebhook({ ...local, url });
    expect(refused).toMatchObject({ status: null, ok: false });
    expect(refused.error).toMatch(/ECONNREFUSED/);
    expect(refused.refused).toBeUndefined();
    const unknown = await deliverWebhook({ ...local, url: "http://nowhere.test/x", lookup: async () => Promise.reject(Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.test"), { code: "ENOTFOUND" })) });
    expect(unknown).toMatchObject({ status: null, ok: false });
    expect(unknown.error).toMatch(/nowhere\.test could not be resolved .*ENOTFOUND/);
  });
});

describe("deliverWebhook to a target it may not reach", () => {
  it("refuses literal private addresses before connecting", async () => {
    const before = ok.hits.length;
    for (const url of ["http://10.0.0.1/hooks", "http://169.254.169.254/latest/meta-data", ok.url, "http://[::1]:9/hooks", "http://[::ffff:127.0.0.1]:9/hooks"]) {
      const started = performance.now();
      const result = await deliverWebhook({ ...strict, url });
      expect(result, url).toMatchObject({ status: null, ok: false, refused: "private_address" });
      expect(result.error, url).toMatch(/private, loopback or reserved address/);
      expect(performance.now() - started).toBeLessThan(200);
    }
    expect(connects).not.toHaveBeenCalled();
    expect(ok.hits).toHaveLength(before);
  });

  it("refuses localhost", async () => {
    const result = await deliverWebhook({ ...strict, url: ok.url.replace("127.0.0.1", "localhost") });
    expect(result).toMatchObject({ status: null, refused: "private_address" });
    expect(result.error).toMatch(/localhost is this machine/);
    expect(connects).not.toHaveBeenCalled();
  });

  it("refuses a name that resolves to a private address, though it passed as a name when saved (rebinding)", async () => {
    const url = ok.url.replace("127.0.0.1", "rebind.test");
    expect(checkWebhookUrl(url, { allowPrivate: false, allowHttp: true }).ok).toBe(true);
    const result = await deliverWebhook({ ...strict, url, lookup: resolvesTo("127.0.0.1") });
    expect(result).toMatchObject({ status: null, ok: false, refused: "private_address" });
    expect(result.error).toBe("rebind.test resolves to 127.0.0.1, a private, loopback or reserved address: webhooks go to public servers only.");
    expect(connects).not.toHaveBeenCalled();
  });

  it("refuses a public-looking name if any of its addresses is private, and judges on every attempt", async () => {
    const lookup = vi.fn(resolvesTo("93.184.216.34", "10.1.2.3"));
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await deliverWebhook({ ...strict, url: "https://hooks.shop.example/stampbook", allowHttp: false, lookup });
      expect(result).toMatchObject({ refused: "private_address", error: expect.stringMatching(/hooks\.shop\.example resolves to 10\.1\.2\.3/) });
    }
    expect(lookup).toHaveBeenCalledTimes(2);
    expect((await deliverWebhook({ ...strict, url: "https://metadata.shop.example/", lookup: resolvesTo("fd00:ec2::254") })).refused).toBe("private_address");
    expect((await deliverWebhook({ ...strict, url: "https://mapped.shop.example/", lookup: resolvesTo("::ffff:169.254.169.254") })).refused).toBe("private_address");
    expect(connects).not.toHaveBeenCalled();
  });

  it("refuses plain http unless allowed, and says so", async () => {
    const result = await deliverWebhook({ ...local, allowHttp: false, url: ok.url });
    expect(result).toMatchObject({ status: null, ok: false, refused: "insecure" });
    expect(result.error).toMatch(/over https only/);
    expect(connects).not.toHaveBeenCalled();
  });

  it("refuses a URL that is not one, with a reason", async () => {
    const result = await deliverWebhook({ ...local, url: "not a url" });
    expect(result).toMatchObject({ status: null, ok: false, refused: "invalid_url", error: expect.stringMatching(/full address/) });
  });
});
