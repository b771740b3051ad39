/**
 * A stand-in for the drop routes while the real ones are being built: it serves
 * `POST /v1/drops/:id/claim` and `GET /v1/claims/:id` with scripted behaviour (by drop id) and
 * forwards every other request to the real API. Members are authenticated by the real API
 * (`GET /v1/me` with their token). Voucher drops sign a real voucher with the brand's minter key for
 * the real chain and collection, so submitting it exercises the contract.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { keccak256, parseSignature, signatureToCompactSignature, stringToHex, type Address, type Hex } from "viem";
import { claimVoucherDomain, claimVoucherTypes } from "../../../contracts/bindings/index.ts";
import type { Claim } from "../../../sdk/src/protocol/drops.ts";
import type { Stack } from "./stack.ts";

export type DropScript =
  /** Minted before answering (201). */
  | { kind: "mint" }
  /** 202 pending, then `polls` GETs of pending, then `then`. */
  | { kind: "pending"; polls: number; then: "minted" | "failed" }
  /** Pending forever. */
  | { kind: "stuck" }
  /** 502 mint_failed with the failed claim, on every attempt (as the server does for a failed claim). */
  | { kind: "mint_failed" }
  /** The first `failures` attempts fail ("503": a problem; "drop": the connection closes after the claim is made), then 201. */
  | { kind: "flaky"; failures: ("503" | "drop")[] }
  /** Issues a voucher for `tokenId` × `amount`. */
  | { kind: "voucher"; tokenId: bigint; amount: bigint; price?: bigint };

export async function startDropStub(stack: Stack, scripts: Record<string, DropScript>) {
  const claims = new Map<string, { claim: Claim; pollsLeft: number; then: "minted" | "failed" | null }>();
  const byKey = new Map<string, Claim>();
  /** Every claim request: drop id and Idempotency-Key. */
  const requests: { dropId: string; key: string | undefined }[] = [];
  const polls: string[] = [];
  let seq = 0;

  const json = (res: ServerResponse, status: number, body: unknown, type = "application/json") => {
    res.writeHead(status, { "content-type": type });
    res.end(JSON.stringify(body));
  };
  const problem = (res: ServerResponse, status: number, code: string, title: string, extra: Record<string, unknown> = {}) =>
    json(res, status, { type: `urn:stampbook:problem:${code}`, title, status, code, ...extra }, "application/problem+json");

  async function memberOf(req: IncomingMessage): Promise<Address | null> {
    const response = await fetch(`${stack.apiUrl}/v1/me`, { headers: { authorization: req.headers.authorization ?? "" } });
    return response.ok ? ((await response.json()) as { address: Address }).address : null;
  }

  function newClaim(dropId: string, member: Address, mode: "mint" | "voucher", tokenId: bigint, amount: bigint): Claim {
    const at = new Date().toISOString();
    return {
      id: `claim_${++seq}`,
      dropId,
      brandId: stack.server.brand.id,
      member,
      collection: stack.collection,
      tokenId: tokenId.toString(),
      amount: amount.toString(),
      mode,
      status: "pending",
      txHash: null,
      voucher: null,
      error: null,
      createdAt: at,
      updatedAt: at,
    };
  }

  const dropList = () =>
    Object.entries(scripts).map(([id, script]) => ({
      id,
      brandId: stack.server.brand.id,
      title: id,
      description: "",
      collection: stack.collection,
      tokenId: script.kind === "voucher" ? script.tokenId.toString() : "3",
      amount: "1",
      mode: script.kind === "voucher" ? "voucher" : "mint",
      requires: "any signed-in member",
      limits: { perMember: null, total: null },
      startsAt: null,
      endsAt: null,
      status: "open",
      eligible: true,
      reasons: [],
      checked: true,
      claimed: 0,
      usedUp: false,
    }));

  const fakeTx = (id: string): Hex => keccak256(stringToHex(id));
  const failed = (claim: Claim): Claim => ({ ...claim, status: "failed", error: { code: "mint_failed", message: "the mint transaction reverted" } });

  async function issueVoucher(claim: Claim, script: Extract<DropScript, { kind: "voucher" }>): Promise<Claim> {
    const { chain } = stack;
    const block = await chain.publicClient.getBlock();
    const voucher = {
      to: claim.member,
      id: script.tokenId,
      amount: script.amount,
      validAfter: block.timestamp - 60n,
      validUntil: block.timestamp + 3600n,
      uid: keccak256(stringToHex(claim.id)),
      price: script.price ?? 0n,
    };
    const signature = await chain.brand.signTypedData({
      account: chain.brand.account,
      domain: claimVoucherDomain(stack.collection, 31337),
      types: claimVoucherTypes,
      primaryType: "ClaimVoucher",
      message: voucher,
    });
    const { r, yParityAndS } = signatureToCompactSignature(parseSignature(signature));
    return {
      ...claim,
      status: "issued",
      voucher: {
        chainId: 31337,
        collection: stack.collection,
        to: voucher.to,
        id: voucher.id.toString(),
        amount: voucher.amount.toString(),
        validAfter: voucher.validAfter.toString(),
        validUntil: voucher.validUntil.toString(),
        uid: voucher.uid,
        price: voucher.price.toString(),
        signature,
        r,
        vs: yParityAndS,
      },
    };
  }

  async function claimRoute(req: IncomingMessage, res: ServerResponse, dropId: string) {
    const key = req.headers["idempotency-key"] as string | undefined;
    requests.push({ dropId, key });
    const member = await memberOf(req);
    if (!member) return problem(res, 401, "unauthenticated", "Sign in first");
    if (!key) return problem(res, 400, "idempotency_key_required", "Send an Idempotency-Key header");
    const script = scripts[dropId];
    if (!script) return problem(res, 404, "drop_not_found", "No such drop");

    const attempt = requests.filter((r) => r.dropId === dropId && r.key === key).length;
    let claim = byKey.get(key);
    const replayed = claim !== undefined;
    if (!claim) {
      claim = newClaim(dropId, member, script.kind === "voucher" ? "voucher" : "mint", script.kind === "voucher" ? script.tokenId : 3n, 1n);
      switch (script.kind) {
        case "mint":
        case "flaky":
          claim = { ...claim, status: "minted", txHash: fakeTx(claim.id) };
          break;
        case "pending":
          claims.set(claim.id, { claim: { ...claim, txHash: fakeTx(claim.id) }, pollsLeft: script.polls, then: script.then });
          claim = { ...claim, txHash: fakeTx(claim.id) };
          break;
        case "stuck":
          break;
        case "mint_failed":
          claim = failed(claim);
          break;
        case "voucher":
          claim = await issueVoucher(claim, script);
          break;
      }
      byKey.set(key, claim);
      if (!claims.has(claim.id)) claims.set(claim.id, { claim, pollsLeft: Infinity, then: null });
    }
    if (script.kind === "flaky") {
      const failure = script.failures[attempt - 1];
      if (failure === "503") return problem(res, 503, "chain_unavailable", "The chain cannot be reached right now");
      if (failure === "drop") return void res.socket?.destroy();
    }
    if (claim.status === "failed") return problem(res, 502, "mint_failed", "The mint failed", { claim });
    return json(res, claim.status === "pending" ? 202 : replayed ? 200 : 201, claim);
  }

  function getClaimRoute(res: ServerResponse, id: string) {
    polls.push(id);
    const entry = claims.get(id);
    if (!entry) return problem(res, 404, "claim_not_found", "No such claim");
    if (entry.then && entry.claim.status === "pending") {
      if (entry.pollsLeft <= 0) entry.claim = entry.then === "minted" ? { ...entry.claim, status: "minted" } : failed(entry.claim);
      else entry.pollsLeft--;
    }
    return json(res, 200, entry.claim);
  }

  async function forward(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== "host" && k !== "connection").map(([k, v]) => [k, String(v)]));
    const response = await fetch(`${stack.apiUrl}${req.url}`, { method: req.method!, headers, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) });
    res.writeHead(response.status, Object.fromEntries([...response.headers].filter(([k]) => k !== "content-encoding" && k !== "content-length" && k !== "transfer-encoding")));
    res.end(Buffer.from(await response.arrayBuffer()));
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    const claimMatch = /^\/v1\/drops\/([^/]+)\/claim$/.exec(path);
    const getMatch = /^\/v1\/claims\/([^/]+)$/.exec(path);
    if (req.method === "GET" && path === "/v1/drops") {
      polls.push(`drops${req.url!.slice(path.length)}`);
      return void memberOf(req).then((member) => (member ? json(res, 200, { items: dropList() }) : problem(res, 401, "unauthenticated", "Sign in first")));
    }
    const handled =
      req.method === "POST" && claimMatch ? claimRoute(req, res, decodeURIComponent(claimMatch[1]!))
      : req.method === "GET" && getMatch ? Promise.resolve(getClaimRoute(res, decodeURIComponent(getMatch[1]!)))
      : forward(req, res);
    handled.catch((error) => {
      if (!res.headersSent) problem(res, 500, "internal", String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    polls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
