/**
 * The SDK as a storefront installs it: built to dist/ (JavaScript and declarations) and resolved
 * through package.json `exports`, with viem and typebox beside it (and React and TanStack Query, the
 * react entry's peers). An ESM consumer runs on Node, and a strict
 * TypeScript consumer type-checks against the declarations, with nothing from this repository's
 * source paths.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsc = join(root, "node_modules", ".bin", "tsc");
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "stampbook-sdk-consumer-"));
  const installed = join(project, "node_modules", "@stampbook", "sdk");
  mkdirSync(installed, { recursive: true });
  writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module", private: true }));
  cpSync(join(root, "sdk", "package.json"), join(installed, "package.json"));
  execFileSync(tsc, ["-p", join(root, "sdk", "tsconfig.build.json"), "--outDir", join(installed, "dist")], { stdio: "pipe" });
  execFileSync(tsc, ["-p", join(root, "sdk", "tsconfig.cli.json"), "--outDir", join(installed, "dist")], { stdio: "pipe" });
  symlinkSync(join(root, "node_modules", "viem"), join(project, "node_modules", "viem"), "dir");
  // The SDK's one dependency: the wire protocol's types are derived from its schemas.
  symlinkSync(join(root, "node_modules", "typebox"), join(project, "node_modules", "typebox"), "dir");
  // The react entry's peers, as a React storefront has them (react-dom only to render in the check).
  for (const name of ["react", "react-dom", "@tanstack"]) symlinkSync(join(root, "node_modules", name), join(project, "node_modules", name), "dir");
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("the built package", () => {
  it("ships the stampbook command: a brand that installs the SDK runs it with npx", () => {
    const bin = (JSON.parse(readFileSync(join(project, "node_modules", "@stampbook", "sdk", "package.json"), "utf8")) as { bin: Record<string, string> }).bin.stampbook!;
    const cli = join(project, "node_modules", "@stampbook", "sdk", bin);
    // Run where no Hardhat project is: keys would come from the environment alone.
    const help = execFileSync(process.execPath, [cli, "--help"], { cwd: project, encoding: "utf8" });
    expect(help).toContain("Usage: stampbook <command>");
    expect(help).toContain("collection deploy");
    // A command that needs a key and finds none says so, in words, without touching a chain.
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, [cli, "collection", "deploy", "--rpc", "http://127.0.0.1:9"], { cwd: project, encoding: "utf8", stdio: "pipe", env: { PATH: process.env.PATH ?? "" } });
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect(failure?.status).not.toBe(0);
    expect(failure?.stderr).toMatch(/no deployer key: set STAMPBOOK_DEPLOYER_KEY/);
  });

  it("runs from plain ESM JavaScript, every entry point", () => {
    writeFileSync(
      join(project, "consumer.mjs"),
      `import { createStampbookClient, StampbookError } from "@stampbook/sdk";
       import { createEmbeddedWallet } from "@stampbook/sdk/embedded";
       import { verifyReceipt } from "@stampbook/sdk/receipts";
       import { StampbookProvider, useMember } from "@stampbook/sdk/react";
       import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
       import { createElement } from "react";
       import { renderToString } from "react-dom/server";
       const client = createStampbookClient({ apiUrl: "http://localhost:8787" });
       const receipt = await verifyReceipt({ message: "not a consent", signature: "0x" });
       const Status = () => createElement("p", null, useMember().isRestoring ? "restoring" : "?");
       const html = renderToString(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(StampbookProvider, { client }, createElement(Status))));
       console.log(JSON.stringify([typeof client.signIn, typeof client.getPerks, typeof client.grantConsent, typeof createEmbeddedWallet, new StampbookError("x") instanceof Error, receipt, html]));`,
    );
    const output = execFileSync(process.execPath, ["consumer.mjs"], { cwd: project, encoding: "utf8" });
    expect(JSON.parse(output)).toEqual(["function", "function", "function", "function", true, { valid: false, reason: "malformed" }, "<p>restoring</p>"]);
  });

  it("type-checks a strict TypeScript consumer against its declarations, and catches its mistakes", () => {
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "es2023", lib: ["es2023", "dom"], module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, types: [] }, include: ["*.ts"] }),
    );
    writeFileSync(
      join(project, "good.ts"),
      `import { createStampbookClient, type MemberPerk, type StampbookClient } from "@stampbook/sdk";
       import { createEmbeddedWallet } from "@stampbook/sdk/embedded";
       export async function eligible(): Promise<MemberPerk[]> {
         const client: StampbookClient = createStampbookClient({ apiUrl: "http://localhost:8787", wallet: await createEmbeddedWallet() });
         return (await client.getPerks()).filter((perk) => perk.eligible);
       }`,
    );
    expect(typecheck()).toBe("");

    writeFileSync(join(project, "bad.ts"), `import { createStampbookClient } from "@stampbook/sdk";\nexport const n: number = createStampbookClient({ apiUrl: "x" }).getPerks;\n`);
    const output = typecheck();
    rmSync(join(project, "bad.ts"));
    expect(output).toMatch(/bad\.ts\(2,14\): error TS2322/);
    // tsc over the whole package: slow on a busy two-core machine, never a timing check.
  }, 240_000);
});

/** tsc's complaints about the consumer project, or "" if it has none. */
function typecheck(): string {
  try {
    execFileSync(tsc, ["-p", project], { cwd: project, stdio: "pipe", encoding: "utf8" });
    return "";
  } catch (error) {
    return String((error as { stdout?: string }).stdout);
  }
}
