/**
 * `npm start`: the whole system on one machine. Starts a local Hardhat chain on 127.0.0.1, deploys
 * and seeds the demo brand, starts the API on the embedded SQLite store, prints what runs where and
 * writes it as JSON to a manifest. Ctrl-C stops everything.
 *
 * Configuration (all optional): RPC_URL (use a running chain instead of starting one), CHAIN_PORT, STOREFRONT_PORT,
 * COLLECTIONS (serve existing collections: skips deploying and seeding), DATABASE_URL, PORT, HOST,
 * MANIFEST_PATH, LOG_LEVEL, and every variable of the API (see README). When it seeds, the demo
 * brand's key is the minter (MINTER_PRIVATE_KEY) unless one is given.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { network } from "hardhat";
import { createPublicClient, defineChain, http, type Address } from "viem";
import { build } from "../server/app.ts";
import { ConfigError, loadConfig } from "../server/config.ts";
import { deployDemoCollection, seedDemoBrand } from "./demo/seed.ts";
import { startStorefront } from "./demo/storefront-server.ts";

const env = process.env;
const DEFAULT_DATABASE = "sqlite:.stampbook/demo.sqlite";
const manifestPath = resolve(env.MANIFEST_PATH ?? ".stampbook/demo.json");

let chainServer: Awaited<ReturnType<typeof network.createServer>> | undefined;
let rpcUrl = env.RPC_URL;
if (rpcUrl === undefined) {
  chainServer = await network.createServer("default", "127.0.0.1", Number(env.CHAIN_PORT ?? 8545));
  const { port } = await chainServer.listen();
  rpcUrl = `http://127.0.0.1:${port}`;
}
const chainId = await createPublicClient({ transport: http(rpcUrl) }).getChainId();
const chain = defineChain({ id: chainId, name: `chain ${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } });

const seeding = env.COLLECTIONS === undefined;
const deployed = seeding ? await deployDemoCollection({ rpcUrl, chain }) : undefined;
// The demo database belongs to the demo chain, which starts empty every time.
if (seeding && env.DATABASE_URL === undefined) await rm(".stampbook/demo.sqlite", { force: true }).then(() => Promise.all(["-wal", "-shm"].map((s) => rm(`.stampbook/demo.sqlite${s}`, { force: true }))));

// Members sign in on the storefront, so sign-in messages name its origin, and the API lets it call.
const storefrontPort = Number(env.STOREFRONT_PORT ?? 8788);
const storefrontUrl = `http://localhost:${storefrontPort}`;

let config;
try {
  config = loadConfig(
    {
      LOG_LEVEL: "warn",
      DATABASE_URL: DEFAULT_DATABASE,
      SIWE_URI: storefrontUrl,
      CORS_ORIGINS: storefrontUrl,
      // The demo brand's account deployed the collection and holds MINTER_ROLE: it pays for drop claims.
      ...(deployed ? { MINTER_PRIVATE_KEY: deployed.brandAccount.privateKey } : {}),
      ...env,
      RPC_URL: rpcUrl,
      CHAIN_ID: String(chainId),
    },
    deployed ? { collections: [deployed.collection] } : {},
  );
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    await chainServer?.close();
    process.exit(2);
  }
  throw error;
}

const app = await build({ config });
const seeded = deployed ? await seedDemoBrand({ app, store: app.store, collection: deployed.collection }) : undefined;
await app.listen({ host: config.host, port: config.port });
const apiUrl = config.publicUrl.origin;
const storefront = await startStorefront({
  host: config.host,
  port: storefrontPort,
  config: {
    apiUrl,
    chainId,
    rpcUrl,
    brandName: seeded?.brand.name ?? "Stampbook",
    tokenNames: Object.fromEntries((deployed?.tokenTypes ?? []).map((t) => [t.tokenId, t.name.split(" (")[0]!])),
  },
});

const manifest = {
  storefrontUrl,
  apiUrl,
  docsUrl: `${apiUrl}/docs`,
  rpcUrl,
  chainId,
  databaseUrl: config.databaseUrl,
  contracts: { collections: config.collections as Address[] },
  ...(deployed && seeded
    ? {
        tokenTypes: deployed.tokenTypes,
        brand: { ...seeded.brand, adminAddress: deployed.brandAccount.account.address, adminPrivateKey: deployed.brandAccount.privateKey },
        accounts: deployed.accounts,
        perks: seeded.perks,
        drops: seeded.drops,
      }
    : {}),
};
await mkdir(dirname(manifestPath), { recursive: true });
await writeFile(manifestPath, JSON.stringify(manifest, null, 2) + "\n");

const lines = [
  "",
  `Stampbook is running.`,
  `  storefront ${storefrontUrl}   (open it in a browser)`,
  `  API        ${apiUrl}   (OpenAPI: ${apiUrl}/docs)`,
  `  chain      ${rpcUrl}   chain id ${chainId}${chainServer ? " (local Hardhat chain, started here)" : ""}`,
  `  store      ${config.databaseUrl}`,
  ...config.collections.map((c) => `  collection ${c}`),
];
if (deployed && seeded) {
  lines.push(`  brand      ${seeded.brand.name} (${seeded.brand.id}), API key ${seeded.brand.apiKey}`, "", "Test accounts (local chain only):");
  for (const a of deployed.accounts) {
    const holds = Object.entries(a.holdings).map(([k, v]) => `${v} ${k}`).join(", ") || "nothing";
    lines.push(`  ${a.address}  ${a.role}: holds ${holds}`, `      private key ${a.privateKey}`);
  }
  lines.push("", "Perks:", ...seeded.perks.map((p) => `  ${p.id}  ${p.title}`));
  lines.push("", "Drops (claimed without gas: POST /v1/drops/:id/claim):", ...seeded.drops.map((d) => `  ${d.id}  ${d.title} (${d.mode})`));
}
lines.push("", `Manifest: ${manifestPath}`, "Press Ctrl-C to stop.", "");
console.log(lines.join("\n"));

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping…");
    await storefront.close();
    await app.close();
    await chainServer?.close();
    process.exit(0);
  });
}
