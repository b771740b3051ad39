import { describe, expect, it } from "vitest";
import { clientAddress } from "./rate-limits.ts";

describe("clientAddress", () => {
  it("counts IPv4 as is, IPv6 by /64, and a request whose connection closed under one key instead of throwing", () => {
    expect(clientAddress({ ip: "203.0.113.7" })).toBe("203.0.113.7");
    expect(clientAddress({ ip: "2001:db8:1:2:3:4:5:6" })).toBe(clientAddress({ ip: "2001:db8:1:2:ffff:ffff:ffff:ffff" }));
    // Fastify's request.ip is the socket's remote address: gone once the client hung up.
    expect(clientAddress({ ip: undefined as unknown as string })).toBe("connection-closed");
  });
});
