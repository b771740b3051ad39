/**
 * `npm start`: the whole system on one machine. Checks that its ports are free, compiles the
 * contracts, starts a local Hardhat chain on 127.0.0.1 (with a Delegate Registry at its canonical
 * address: scripts/demo/delegate-registry.ts), deploys and seeds the demo brand, starts the
 * API on the embedded SQLite store, the storefront and the brand console (its origin added to
 * CORS_ORIGINS), and a webhook receiver registered as the demo brand's endpoint, which prints each
 * verified event here; prints what runs where and writes it as JSON to a manifest. Ctrl-C stops everything.
 *
 * The next `npm start` comes back to where the last one stopped: the local chain is journaled as it
 * runs and replayed (scripts/demo/local-chain.ts), the database, the operator token and the minter
 * key secret are kept, and the demo is not seeded again (the last manifest's brand, key and accounts
 * are used again). `npm start -- --fresh` (or STAMPBOOK_FRESH=1) forgets all that and starts clean.
 *
 * Configuration (all optional): RPC_URL (use a running chain instead of starting one), CHAIN_PORT, STOREFRONT_PORT,
 * CONSOLE_PORT, COLLECTIONS (serve existing collections: skips deploying and seeding), DATABASE_URL, PORT, HOST,
 * STAMPBOOK_DIR (where the state is kept; default MANIFEST_PATH's folder, else .stampbook), MANIFEST_PATH,
 * STAMPBOOK_FRESH, LOG_LEVEL, and every variable of the API (see README). Without OPERATOR_TOKEN or
 * MINTER_KEY_SECRET it keeps one in the state folder. Against the same chain and database (RPC_URL and
 * DATABASE_URL given), a second run finds the demo brand and its collection and seeds nothing twice.
 */
import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createPublicClient, defineChain, getAddress, http, type Address } from "viem";
import { build } from "../server/app.ts";
import { ConfigError, loadConfig, type Config } from "../server/config.ts";
import type { Store } from "../server/storage/index.ts";
import { installDelegateRegistry } from "./demo/delegate-registry.ts";
import { DEMO_BRAND_NAME, demoDeployment, deployDemoCollection, seedDemoBrand } from "./demo/seed.ts";
import { newLocalChain, restoreLocalChain, type LocalChain } from "./demo/local-chain.ts";
import { previousDemo, type DemoSummary } from "./demo/previous-demo.ts";
import { savedState } from "./demo/saved-state.ts";
import { startStorefront } from "./demo/storefront-server.ts";
import { registerDemoReceiver, startWebhookReceiver, type WebhookReceiver } from "./demo/webhook-receiver.ts";
import { startConsole } from "../server/console/server.ts";
import { freePort, listenError } from "./free-port.ts";

const env = process.env;
// The state folder holds what the next start comes back to. Tests that move the manifest move it too.
const stateDir = env.STAMPBOOK_DIR || (env.MANIFEST_PATH ? dirname(env.MANIFEST_PATH) : ".stampbook");
const DEFAULT_DATABASE = `sqlite:${join(stateDir, "demo.sqlite")}`;
const manifestPath = resolve(env.MANIFEST_PATH ?? join(stateDir, "demo.json"));
const state = savedState({ dir: stateDir, manifestPath, demoDatabase: env.DATABASE_URL === undefined ? join(stateDir, "demo.sqlite") : undefined });
const hardhatCli = fileURLToPath(new URL("../node_modules/.bin/hardhat", import.meta.url));

/** A server this script starts, and the variable that moves it. */
type Listener = { variable: string; role: string; host: string; port: number };

/** A port from the environment, or `fallback`; a mistake ends the start as a configuration mistake does. */
function portVariable(name: string, fallback: number): number {
  const value = env[name]?.trim();
  if (!value) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 65_535) {
    console.error(`invalid configuration:\n  - ${name} must be a whole number from 0 to 65535 (got "${value}")`);
    process.exit(2);
  }
  return Number(value);
}

/** A yes/no variable: 1, true or yes, or 0, false, no or nothing. */
function flagVariable(name: string): boolean {
  const value = env[name]?.trim().toLowerCase() ?? "";
  if (["1", "true", "yes"].includes(value)) return true;
  if (["", "0", "false", "no"].includes(value)) return false;
  console.error(`invalid configuration:\n  - ${name} must be 1 or 0 (got "${env[name]}")`);
  process.exit(2);
}

const unknownArguments = process.argv.slice(2).filter((a) => a !== "--fresh");
if (unknownArguments.length > 0) {
  console.error(`npm start takes one option, --fresh (start clean): got ${unknownArguments.join(" ")}`);
  process.exit(2);
}
const fresh = process.argv.includes("--fresh") || flagVariable("STAMPBOOK_FRESH");

// Members sign in on the storefront, so sign-in messages name its origin, and the API lets it call.
const storefrontPort = portVariable("STOREFRONT_PORT", 8788);
const storefrontUrl = `http://localhost:${storefrontPort}`;
// The brand console is a page of its own too, calling the API over CORS with the staff session. It
// sits beside the storefront (8789 by default), so moving the storefront's port moves both.
const consolePort = portVariable("CONSOLE_PORT", storefrontPort === 0 || storefrontPort === 65_535 ? 0 : storefrontPort + 1);
const consoleUrl = `http://localhost:${consolePort}`;

/** CORS_ORIGINS as given (else the storefront's), with the console's origin added. */
function corsOrigins(): string {
  const given = (env.CORS_ORIGINS ?? storefrontUrl).split(",").map((o) => o.trim()).filter(Boolean);
  return [...new Set([...given, consoleUrl])].join(",");
}

/** The API's configuration: the demo's defaults, then the environment, then what the chain decides. */
function apiConfig(demo: Record<string, string>, chain: Record<string, string | undefined>, overrides: Partial<Config> = {}): Config {
  try {
    // Webhooks may go to a receiver on this machine over plain http: the local demo's, not a deployment's.
    return loadConfig(
      { LOG_LEVEL: "warn", DATABASE_URL: DEFAULT_DATABASE, SIWE_URI: storefrontUrl, WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_ALLOW_HTTP: "true", ...demo, ...env, CORS_ORIGINS: corsOrigins(), ...chain },
      overrides,
    );
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

// Nothing starts and nothing changes before the configuration is valid and every port is free: a
// second `npm start` must leave the running demo alone. The chain's id is known only later.
const settings = apiConfig({}, { CHAIN_ID: undefined });
const chainListener: Listener = { variable: "CHAIN_PORT", role: "the local chain", host: "127.0.0.1", port: portVariable("CHAIN_PORT", 8545) };
const apiListener: Listener = { variable: "PORT", role: "the API", host: settings.host, port: settings.port };
const storefrontListener: Listener = { variable: "STOREFRONT_PORT", role: "the storefront", host: settings.host, port: storefrontPort };
const consoleListener: Listener = { variable: "CONSOLE_PORT", role: "the brand console", host: settings.host, port: consolePort };
const listeners = [...(env.RPC_URL === undefined ? [chainListener] : []), apiListener, storefrontListener, consoleListener];

// A port suggested instead of a taken one is none of the others, nor one suggested already.
const reserved = new Set(listeners.map((l) => l.port));

/** A free port near `listener`'s, to suggest instead. */
async function alternative(listener: Listener): Promise<number> {
  for (let p = listener.port + 1; p <= Math.min(listener.port + 100, 65_535); p++) {
    if (!reserved.has(p) && (await listenError(p, listener.host)) === undefined) {
      reserved.add(p);
      return p;
    }
  }
  return freePort();
}

/** One line: why `listener` cannot listen, and what to change. */
async function cannotListen(listener: Listener, error: NodeJS.ErrnoException): Promise<string> {
  const { variable, role, host, port } = listener;
  if (error.code !== "EADDRINUSE") return `Cannot listen on ${host}:${port} for ${role} (${variable}): ${error.message}`;
  return `Port ${port} (${variable}, ${role}) is in use: stop what runs there or choose another, e.g. ${variable}=${await alternative(listener)} npm start`;
}

const problems: string[] = [];
for (const [i, listener] of listeners.entries()) {
  // Port 0 asks for any free port.
  if (listener.port === 0) continue;
  const twin = listeners.slice(0, i).find((other) => other.port === listener.port);
  if (twin) {
    problems.push(`Port ${listener.port} is set for both ${twin.variable} (${twin.role}) and ${listener.variable} (${listener.role}): choose another, e.g. ${listener.variable}=${await alternative(listener)} npm start`);
    continue;
  }
  const error = await listenError(listener.port, listener.host);
  if (error) problems.push(await cannotListen(listener, error));
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}

/**
 * Starts `listener`'s server with `listen`. A port taken since the check (or unusable) ends the start
 * with the same one line as the check.
 */
async function listening<T>(listener: Listener, listen: () => Promise<T>): Promise<T> {
  // Hardhat's server never rejects when it cannot listen: its error arrives as an uncaught exception.
  let fail!: (error: unknown) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  process.on("uncaughtException", fail);
  try {
    return await Promise.race([listen(), failed]);
  } catch (error) {
    const syscall = (error as NodeJS.ErrnoException | null)?.syscall;
    if (syscall === "listen" || syscall === "getaddrinfo") {
      console.error(await cannotListen(listener, error as NodeJS.ErrnoException));
      process.exit(1);
    }
    throw error;
  } finally {
    process.off("uncaughtException", fail);
  }
}

/** `hardhat compile`, saying meanwhile that it works: the first run takes a minute or two. */
async function compile() {
  console.log("Compiling contracts (the first run takes a minute or two)…");
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  // A terminal gets one line counting the seconds; a log, a line every 15 s.
  const tty = process.stdout.isTTY;
  const ticker = setInterval(() => process.stdout.write(`${tty ? "\r" : ""}  still compiling (${seconds()} s)${tty ? "" : "\n"}`), tty ? 1_000 : 15_000);
  // Run by this script's Node: the `node` on PATH may be too old for Hardhat.
  const child = spawn(process.execPath, [hardhatCli, "compile"], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exit = await new Promise<number | string | null>((resolve, reject) => child.once("error", reject).once("close", (code, signal) => resolve(code ?? signal)));
  clearInterval(ticker);
  if (tty) process.stdout.write("\r\x1b[K");
  if (exit !== 0) {
    console.error(`${output.trimEnd()}\nCompiling the contracts failed (hardhat compile exited with ${exit}).`);
    process.exit(1);
  }
  console.log(`Compiled in ${seconds()} s`);
}

await compile();

await mkdir(stateDir, { recursive: true });
if (fresh) {
  await state.forget(true);
  const database = env.DATABASE_URL === undefined ? "the demo's database, " : "";
  console.log(`Starting clean (--fresh): the saved chain, ${database}the manifest and the operator token in ${stateDir}/ are gone.`);
}

let localChain: LocalChain | undefined;
let rpcUrl = env.RPC_URL;
if (rpcUrl === undefined) {
  const options = {
    host: chainListener.host,
    port: chainListener.port,
    journalPath: state.journal,
    onUnrestorable: (reason: string) => console.warn(`The local chain can no longer be saved (${reason}): the next npm start starts clean.`),
  };
  const saved = fresh ? undefined : await restoreLocalChain(options);
  if (saved !== undefined && "server" in saved) localChain = saved;
  else {
    // Data made on a chain that cannot come back no longer matches any chain.
    if (saved !== undefined && !saved.missing) console.log(`The saved local chain in ${stateDir}/ cannot be used (${saved.problem}): it and the data made on it were moved to ${await state.setAside()}; starting clean.`);
    else if (saved !== undefined && (await state.hasDatabase())) {
      await state.forget(false);
      console.log(`No saved local chain in ${stateDir}/ for the demo's data there: starting clean.`);
    }
    localChain = await newLocalChain(options);
  }
  const { port } = await listening(chainListener, () => localChain!.server.listen());
  rpcUrl = `http://127.0.0.1:${port}`;
  // Every local chain has a Delegate Registry. Put there through the journaled chain, it comes back
  // with the chain; a chain saved before it had one gets it now.
  await installDelegateRegistry(createPublicClient({ transport: http(rpcUrl) }));
}
const chainId = await createPublicClient({ transport: http(rpcUrl) }).getChainId();
const chain = defineChain({ id: chainId, name: `chain ${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } });

const seeding = env.COLLECTIONS === undefined;
const operatorToken = env.OPERATOR_TOKEN ?? (await state.operatorToken());
const config = apiConfig(
  { OPERATOR_TOKEN: operatorToken, ...(env.MINTER_KEY_SECRET === undefined ? { MINTER_KEY_SECRET: await state.minterKeySecret() } : {}) },
  { RPC_URL: rpcUrl, CHAIN_ID: String(chainId) },
);
const app = await build({ config });

// A restored chain comes with its demo: the last run's brand, key and accounts, not seeded again
// (seeding would issue another key and undo a developer's changes to the demo's levels or perks).
const restoredDemo = seeding && localChain?.restored ? await previousDemo({ manifestPath, chainId, rpcUrl, app }) : undefined;
// A demo seeded before on this chain and database is found again, not made twice.
const previous = seeding && !restoredDemo ? await demoCollectionIn(app.store) : undefined;
const demo: DemoSummary | undefined = restoredDemo ?? (seeding ? await seedDemo() : undefined);
await listening(apiListener, () => app.listen({ host: config.host, port: config.port }));
const apiUrl = config.publicUrl.origin;
const storefront = await listening(storefrontListener, () =>
  startStorefront({
    host: config.host,
    port: storefrontPort,
    config: {
      apiUrl,
      chainId,
      rpcUrl,
      brandId: demo?.brand.id ?? null,
      brandName: demo?.brand.name ?? "Stampbook",
    },
  }),
);
const brandConsole = await listening(consoleListener, () =>
  startConsole({
    host: config.host,
    port: consolePort,
    config: { apiUrl, chainId, rpcUrl, brandId: demo?.brand.id ?? null, brandName: demo?.brand.name ?? "Stampbook" },
  }),
);
// The demo brand's webhooks come to a receiver here, as they would to the brand's own service. A
// restart registers it again: the endpoint the last run made is replaced, its secret gone with that run.
const receiver = demo ? await demoReceiver(demo) : undefined;

const manifest = {
  storefrontUrl,
  consoleUrl,
  tillUrl: `${consoleUrl}/till`,
  apiUrl,
  docsUrl: `${apiUrl}/docs`,
  rpcUrl,
  chainId,
  databaseUrl: config.databaseUrl,
  operatorToken,
  ...(receiver ? { webhookReceiverUrl: receiver.url } : {}),
  contracts: { collections: demo ? [demo.collection] : (config.collections as Address[]) },
  ...(demo
    ? {
        tokenTypes: demo.tokenTypes,
        brand: demo.brand,
        accounts: demo.accounts,
        levels: demo.levels,
        perks: demo.perks,
        drops: demo.drops,
        journeys: demo.journeys,
        dataRequests: demo.dataRequests,
      }
    : {}),
};
await mkdir(dirname(manifestPath), { recursive: true });
await writeFile(manifestPath, JSON.stringify(manifest, null, 2) + "\n");

const restoredLine = localChain?.restored
  ? `Restored the local chain (${localChain.restored.blocks} blocks, in ${localChain.restored.seconds.toFixed(1)} s)${restoredDemo ? " and the demo's data" : ""} from ${stateDir}/ — \`npm start -- --fresh\` starts clean`
  : undefined;
const lines = [
  "",
  ...(restoredLine ? [restoredLine, ""] : []),
  `Stampbook is running.`,
  `  storefront ${storefrontUrl}   (open it in a browser)`,
  `  console    ${consoleUrl}   (brand staff sign in with their wallet; till mode: ${consoleUrl}/till)`,
  `  API        ${apiUrl}   (OpenAPI: ${apiUrl}/docs)`,
  `  chain      ${rpcUrl}   chain id ${chainId}${localChain ? ` (local Hardhat chain, started here; kept in ${stateDir}/)` : ""}`,
  `  store      ${config.databaseUrl}`,
  `  operator   token ${operatorToken}   (npm run brand:create -- "Name" finds it in the manifest)`,
  ...(demo ? [demo.collection] : config.collections).map((c) => `  collection ${c}${previous ? " (seeded by an earlier run)" : ""}`),
];
if (demo) {
  lines.push(`  brand      ${demo.brand.name} (${demo.brand.id}), API key ${demo.brand.apiKey}`, `  minter     ${demo.brand.minterAddress} (the brand's own: it mints and pays for drop claims)`);
  if (receiver) lines.push(`  webhooks   ${receiver.url}   (the brand's "Local demo receiver" endpoint: verified events appear in this console)`);
  lines.push("", "Test accounts (local chain only):");
  for (const a of demo.accounts) {
    const holds = Object.entries(a.holdings).map(([k, v]) => `${v} ${k}`).join(", ") || "nothing";
    lines.push(`  ${a.address}  ${a.role}: ${restoredDemo ? "held at the start" : "holds"} ${holds}`, `      private key ${a.privateKey}`);
  }
  lines.push("", "Perks:", ...demo.perks.map((p) => `  ${p.id}  ${p.title}`));
  lines.push("", "Drops (claimed without gas: POST /v1/drops/:id/claim):", ...demo.drops.map((d) => `  ${d.id}  ${d.title} (${d.mode})`));
  lines.push("", `Levels: ${demo.levels.map((l) => `${l.name} (${l.minPoints} points)`).join(", ")}`);
  lines.push("", "Journeys:", ...demo.journeys.map((j) => `  ${j.id}  ${j.title}${j.steps.flatMap((s) => (s.code ? [` (code ${s.code})`] : [])).join("")}`));
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
    await brandConsole.close();
    // The API first: its deliveries under way finish before the receiver goes.
    await app.close();
    await receiver?.close();
    await localChain?.close();
    process.exit(0);
  });
}

/** Starts the demo's webhook receiver and makes it the demo brand's endpoint; without it (the API refused it), undefined. */
async function demoReceiver(demo: DemoSummary): Promise<WebhookReceiver | undefined> {
  const started = await startWebhookReceiver({ label: demo.brand.name });
  try {
    started.useSecret((await registerDemoReceiver({ app, apiKey: demo.brand.apiKey, url: started.url })).secret);
    return started;
  } catch (error) {
    await started.close();
    console.warn(`The demo's webhook receiver is not registered (${(error as Error).message}): the demo runs without it.`);
    return undefined;
  }
}

/** Deploys the demo collection (or finds the one an earlier run left on this chain and database) and seeds the demo brand. */
async function seedDemo(): Promise<DemoSummary> {
  const deployed = previous ? demoDeployment(previous) : await deployDemoCollection({ rpcUrl: rpcUrl!, chain, publicUrl: config.publicUrl });
  const seeded = await seedDemoBrand({ app, operatorToken, collection: deployed.collection, rpcUrl: rpcUrl!, chain, publicUrl: config.publicUrl });
  return {
    collection: deployed.collection,
    tokenTypes: deployed.tokenTypes,
    brand: { ...seeded.brand, minterAddress: seeded.minter, adminAddress: deployed.brandAccount.account.address, adminPrivateKey: deployed.brandAccount.privateKey },
    accounts: deployed.accounts,
    levels: seeded.levels,
    perks: seeded.perks,
    drops: seeded.drops,
    journeys: seeded.journeys,
    dataRequests: seeded.dataRequests,
  };
}

/** The collection an earlier run registered for the demo brand in this store, if the chain still has it. */
async function demoCollectionIn(store: Store): Promise<Address | undefined> {
  const brand = (await store.listBrands()).find((b) => b.name === DEMO_BRAND_NAME);
  if (brand === undefined) return undefined;
  const client = createPublicClient({ chain, transport: http(rpcUrl) });
  for (const { collection } of await store.listCollections({ brandId: brand.id })) {
    if ((await client.getCode({ address: collection })) !== undefined) return getAddress(collection);
  }
  return undefined;
}
