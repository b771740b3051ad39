/** The fault proxy itself: it forwards, holds traffic back in a blackhole, and cuts. */
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.ts";

let echo: Server;
let proxy: TcpProxy;

beforeAll(async () => {
  echo = createServer((socket) => socket.on("data", (d) => socket.write(d)).on("error", () => undefined));
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", () => resolve()));
  proxy = await startTcpProxy({ host: "127.0.0.1", port: (echo.address() as { port: number }).port });
});

afterAll(async () => {
  await proxy.close();
  await new Promise((resolve) => echo.close(resolve));
});

/** A connection through the proxy and what came back on it. */
async function open(): Promise<{ socket: Socket; received: () => string; closed: Promise<string> }> {
  const socket = connect(proxy.port, "127.0.0.1");
  let received = "";
  socket.on("data", (d) => (received += d));
  const closed = new Promise<string>((resolve) => {
    socket.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    socket.on("close", () => resolve("closed"));
  });
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  return { socket, received: () => received, closed };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(probe: () => boolean, ms = 2_000) {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(5);
  }
}

describe("tcp proxy", () => {
  it("forwards both ways", async () => {
    const c = await open();
    c.socket.write("hello");
    await until(() => c.received() === "hello");
    c.socket.destroy();
  });

  it("a blackhole holds traffic back on open and new connections, and lets it through on restore", async () => {
    const before = await open();
    proxy.blackhole();
    before.socket.write("held");
    const during = await open();
    during.socket.write("new");
    await sleep(300);
    expect(before.received()).toBe("");
    expect(during.received()).toBe("");
    proxy.restore();
    await until(() => before.received() === "held" && during.received() === "new");
    before.socket.destroy();
    during.socket.destroy();
  });

  it("a cut resets open connections and refuses new ones until restored", async () => {
    const c = await open();
    proxy.cut();
    expect(await c.closed).toMatch(/ECONNRESET|closed/);
    const refused = connect(proxy.port, "127.0.0.1");
    const outcome = await new Promise<string>((resolve) => {
      refused.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      refused.on("close", () => resolve("closed"));
    });
    expect(outcome).toMatch(/ECONNRESET|closed/);
    proxy.restore();
    const after = await open();
    after.socket.write("back");
    await until(() => after.received() === "back");
    after.socket.destroy();
  });
});
