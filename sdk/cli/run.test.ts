import { describe, expect, it } from "vitest";
import { COMMANDS, run } from "./run.ts";

async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  let asked = 0;
  const code = await run(args, {
    env: {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    cwd: process.cwd(),
    readSecret: async () => {
      asked++;
      return undefined;
    },
  });
  return { code, stdout, stderr, asked };
}

describe("stampbook's command line", () => {
  it("lists every command in --help", async () => {
    const out = await cli(["--help"]);
    expect(out.code).toBe(0);
    for (const c of COMMANDS) expect(out.stdout).toContain(`  ${c.words.join(" ")}  `);
    expect((await cli([])).code).toBe(2);
  });

  it.each(COMMANDS.map((c) => [c.words.join(" "), c] as const))("`%s --help` lists every option", async (name, command) => {
    const out = await cli([...command.words, "--help"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`Usage: stampbook ${name} [options]`);
    for (const option of [...Object.keys(command.options), "json", "help"]) expect(out.stdout).toMatch(new RegExp(`^  --${option}\\b`, "m"));
    expect((await cli(["help", ...command.words])).stdout).toBe(out.stdout);
  });

  it("refuses unknown options, stray words and unknown commands before doing anything", async () => {
    expect(await cli(["mint", "--colection", "0x0"])).toMatchObject({ code: 2, stderr: "stampbook: unknown option --colection (see `stampbook mint --help`)\n", asked: 0 });
    expect(await cli(["mint", "now"])).toMatchObject({ code: 2, stderr: 'stampbook: `stampbook mint` takes no word "now": options start with -- (see `stampbook mint --help`)\n' });
    expect(await cli(["mint", "--to"])).toMatchObject({ code: 2, stderr: "stampbook: option --to needs a value (see `stampbook mint --help`)\n" });
    expect((await cli(["burn"])).stderr).toMatch(/^stampbook: unknown command "burn": the commands are collection deploy, collection register, /);
    expect((await cli(["type", "delete"])).stderr).toBe('stampbook: `stampbook type` has no command "delete": use `stampbook type create`\n');
  });

  it("says which option is missing, and checks values before asking for a key", async () => {
    expect((await cli(["mint", "--type", "1", "--to", "0x0000000000000000000000000000000000000001"])).stderr).toBe(
      "stampbook: `stampbook mint` needs --collection <address>: the collection's address\n",
    );
    const bad = await cli(["type", "create", "--collection", "0x0000000000000000000000000000000000000001", "--kind", "badge"]);
    expect(bad).toMatchObject({ code: 2, stderr: 'stampbook: --kind must be membership or collectible, not "badge"\n', asked: 0 });
    expect((await cli(["type", "create", "--collection", "0x0000000000000000000000000000000000000001", "--kind", "membership", "--duration", "a month"])).stderr).toContain(
      '--duration must be a duration such as 30d, 12h, 90m, 1y or seconds, not "a month"',
    );
  });

  it("refuses secrets on the command line, as flags or as bare values", async () => {
    for (const args of [["collection", "deploy", "--private-key", "0x01"], ["mint", "--mnemonic=test test"], ["perk", "create", "--api-key", "sbk_x"]]) {
      const out = await cli(args);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/^stampbook: --[a-z-]+ is refused: a secret typed on the command line is kept in your shell's history/);
    }
    const bare = await cli(["mint", "--to", `0x${"ab".repeat(32)}`]);
    expect(bare.stderr).toContain("looks like a private key");
  });

  it("says where to put a key when there is none, after looking in the keystore", async () => {
    const out = await cli(["mint", "--collection", "0x0000000000000000000000000000000000000001", "--type", "1", "--to", "0x0000000000000000000000000000000000000002", "--json"]);
    expect(out.code).toBe(2);
    expect(out.asked).toBe(3);
    expect(JSON.parse(out.stdout)).toEqual({
      error: {
        kind: "no_key",
        message: "no minter key: set STAMPBOOK_MINTER_KEY or STAMPBOOK_ADMIN_KEY or STAMPBOOK_DEPLOYER_KEY in the environment, or store it in Hardhat's keystore with `npx hardhat keystore set STAMPBOOK_MINTER_KEY`",
      },
    });
  });
});
