/**
 * The request-forgery guard: every special-purpose range refused at both of its edges, with the
 * public neighbours on either side accepted, and endpoint URLs judged before they are saved.
 */
import { describe, expect, it } from "vitest";
import { checkWebhookUrl, isPublicAddress } from "./address-guard.ts";

// Each range: its first and last address (refused) and the addresses just outside it (public).
const RANGES: [name: string, first: string, last: string, before: string | null, after: string | null][] = [
  ["0/8", "0.0.0.0", "0.255.255.255", null, "1.0.0.0"],
  ["10/8", "10.0.0.0", "10.255.255.255", "9.255.255.255", "11.0.0.0"],
  ["100.64/10", "100.64.0.0", "100.127.255.255", "100.63.255.255", "100.128.0.0"],
  ["127/8", "127.0.0.0", "127.255.255.255", "126.255.255.255", "128.0.0.0"],
  ["169.254/16", "169.254.0.0", "169.254.255.255", "169.253.255.255", "169.255.0.0"],
  ["172.16/12", "172.16.0.0", "172.31.255.255", "172.15.255.255", "172.32.0.0"],
  ["192.0.0/24", "192.0.0.0", "192.0.0.255", "191.255.255.255", "192.0.1.0"],
  ["192.0.2/24", "192.0.2.0", "192.0.2.255", "192.0.1.255", "192.0.3.0"],
  ["192.168/16", "192.168.0.0", "192.168.255.255", "192.167.255.255", "192.169.0.0"],
  ["198.18/15", "198.18.0.0", "198.19.255.255", "198.17.255.255", "198.20.0.0"],
  ["198.51.100/24", "198.51.100.0", "198.51.100.255", "198.51.99.255", "198.51.101.0"],
  ["203.0.113/24", "203.0.113.0", "203.0.113.255", "203.0.112.255", "203.0.114.0"],
  ["224/4 and 240/4", "224.0.0.0", "255.255.255.255", "223.255.255.255", null],
  ["::1", "::1", "::1", null, null], // its neighbours are IPv4-compatible, judged as 0.0.0.x
  ["fc00::/7", "fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe00::"],
  ["fe80::/10", "fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fec0::"],
  ["ff00::/8", "ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", null],
  ["2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::"],
  ["64:ff9b::/96", "64:ff9b::", "64:ff9b::ffff:ffff", "64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", "64:ff9b::1:0:0"],
];

describe("isPublicAddress", () => {
  it.each(RANGES)("refuses %s at both edges and accepts its neighbours", (_name, first, last, before, after) => {
    expect(isPublicAddress(first)).toBe(false);
    expect(isPublicAddress(last)).toBe(false);
    if (before !== null) expect(isPublicAddress(before)).toBe(true);
    if (after !== null) expect(isPublicAddress(after)).toBe(true);
  });

  it("refuses the unspecified address and the cloud metadata services", () => {
    for (const ip of ["::", "0:0:0:0:0:0:0:0", "169.254.169.254", "fd00:ec2::254"]) expect(isPublicAddress(ip), ip).toBe(false);
  });

  it("judges an IPv4-mapped, -translated or -compatible IPv6 address by its IPv4 address, in any spelling", () => {
    for (const ip of ["::ffff:127.0.0.1", "::ffff:7f00:1", "0:0:0:0:0:ffff:7f00:1", "::FFFF:169.254.169.254", "::ffff:10.0.0.1", "::ffff:0:192.168.1.1", "::127.0.0.1", "::a00:1"]) expect(isPublicAddress(ip), ip).toBe(false);
    for (const ip of ["::ffff:8.8.8.8", "::ffff:808:808", "::8.8.8.8"]) expect(isPublicAddress(ip), ip).toBe(true);
  });

  it("accepts public addresses and refuses what is not an address", () => {
    for (const ip of ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"]) expect(isPublicAddress(ip), ip).toBe(true);
    for (const ip of ["", "example.com", "127.1", "0x7f000001", "fe80::1%eth0", "2606:4700::1111%1", "1.2.3.4.5"]) expect(isPublicAddress(ip), ip).toBe(false);
  });
});

describe("checkWebhookUrl", () => {
  const strict = { allowPrivate: false, allowHttp: false };
  const refusal = (url: string, options = strict) => {
    const check = checkWebhookUrl(url, options);
    if (check.ok) return null;
    expect(check.reason.length).toBeGreaterThan(10);
    return check.code;
  };

  it("accepts a public https URL and hands it back parsed", () => {
    const check = checkWebhookUrl("https://hooks.shop.example:8443/stampbook?x=1", strict);
    expect(check.ok && check.url.href).toBe("https://hooks.shop.example:8443/stampbook?x=1");
    expect(refusal("https://[2606:4700:4700::1111]/hook")).toBeNull();
    expect(refusal("https://8.8.8.8/hook")).toBeNull();
  });

  it("takes only absolute http(s) URLs", () => {
    for (const url of ["", "/hooks", "hooks.shop.example/x", "ftp://shop.example/x", "javascript:alert(1)", "file:///etc/passwd", "https://"]) expect(refusal(url), url).toBe("invalid_url");
  });

  it("takes http only when allowed", () => {
    expect(refusal("http://shop.example/x")).toBe("insecure");
    expect(refusal("http://shop.example/x", { allowPrivate: false, allowHttp: true })).toBeNull();
  });

  it("refuses credentials, fragments and overlong URLs", () => {
    expect(refusal("https://user:pass@shop.example/x")).toBe("credentials");
    expect(refusal("https://user@shop.example/x")).toBe("credentials");
    expect(refusal("https://shop.example/x#part")).toBe("fragment");
    expect(refusal("https://shop.example/x#")).toBe("fragment");
    expect(refusal(`https://shop.example/${"a".repeat(2048 - 21)}`)).toBeNull();
    expect(refusal(`https://shop.example/${"a".repeat(2048 - 20)}`)).toBe("too_long");
  });

  it("refuses literal private addresses in any spelling, and localhost, unless private targets are allowed", () => {
    for (const url of ["https://127.0.0.1/x", "https://127.1/x", "https://0x7f000001/x", "https://2130706433/x", "https://[::1]/x", "https://[::ffff:127.0.0.1]/x", "https://10.0.0.1/x", "https://169.254.169.254/latest/meta-data", "https://[fd00:ec2::254]/x", "https://0.0.0.0/x", "https://localhost/x", "https://api.localhost/x"])
      expect(refusal(url), url).toBe("private_address");
    expect(refusal("https://169.254.169.254/x", { allowPrivate: true, allowHttp: false })).toBeNull();
    expect(refusal("http://localhost:3000/x", { allowPrivate: true, allowHttp: true })).toBeNull();
  });
});
