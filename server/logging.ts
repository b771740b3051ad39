/**
 * What an error may put in a log line. A viem error's `message`, `details`, `metaMessages` and stack
 * carry the JSON-RPC request body, the call's arguments and its calldata (one failed `holdingsOf`
 * over thousands of token ids logged megabytes), and an RPC error echoes whatever the node answered.
 * {@link boundedError} keeps a few short facts per error instead, so one failure is one small line.
 */

/** A cause as it is logged: short, one line per text, no request data. */
export type BoundedCause = {
  /** The error's name, e.g. `HttpRequestError`; `typeof` for a thrown non-object. */
  type: string;
  /** One line of at most 200 characters, long hex runs replaced by their size. */
  message: string;
  /** A string or number code: `ECONNREFUSED`, a JSON-RPC error code, a problem code. */
  code?: string | number;
  /** An HTTP status, e.g. an RPC endpoint's 500 or 429. */
  status?: number;
  cause?: BoundedCause;
};

/** The logged error itself: pino's usual `type`, `message` and `stack`, bounded. */
export type BoundedError = BoundedCause & {
  /** The first few frames, one a line; empty for viem errors, whose stacks repeat their messages. */
  stack: string;
};

const MESSAGE_MAX = 200;
const TYPE_MAX = 40;
const CODE_MAX = 40;
const STACK_FRAMES = 3;
const FRAME_MAX = 120;
/** Causes kept below the logged error. */
const CAUSES_MAX = 3;
/** Errors looked at along a chain, repeats included (a chain may even loop). */
const HOPS_MAX = 10;
/** Bytes of JSON the chain may take: causes that would pass it are left off (the error alone takes ~750 at most). */
const BYTES_MAX = 900;

/** 32 bytes is a word, a hash or a key; anything longer is data (calldata, return data, a signature). */
const LONG_HEX = /(?:0x)?[0-9a-f]{67,}/gi;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** One line, long hex replaced by its size, at most `max` characters. */
function clean(text: string, max: number): string {
  const oneLine = text.replace(/[\s\u0000-\u001f\u007f]+/g, " ").trim();
  const withoutHex = oneLine.replace(LONG_HEX, (run) => `0x…(${Math.floor(run.replace(/^0x/i, "").length / 2)} bytes)`);
  return cut(withoutHex, max);
}

/** viem's `BaseError` (from any copy of viem): its `shortMessage` is the only text free of request data. */
function isViemError(error: object): error is { shortMessage: string } {
  return "shortMessage" in error && typeof error.shortMessage === "string";
}

function reduce(error: unknown): BoundedCause {
  if (typeof error !== "object" || error === null) return { type: error === null ? "null" : typeof error, message: clean(String(error), MESSAGE_MAX) };
  const fields = error as { name?: unknown; message?: unknown; code?: unknown; status?: unknown };
  const name = typeof fields.name === "string" && fields.name !== "" ? fields.name : (error.constructor?.name ?? "Object");
  const text = isViemError(error) ? error.shortMessage : typeof fields.message === "string" ? fields.message : "";
  const reduced: BoundedCause = { type: clean(name, TYPE_MAX), message: clean(text, MESSAGE_MAX) };
  if (typeof fields.code === "string") reduced.code = clean(fields.code, CODE_MAX);
  else if (typeof fields.code === "number" && Number.isFinite(fields.code)) reduced.code = fields.code;
  if (typeof fields.status === "number" && Number.isFinite(fields.status)) reduced.status = fields.status;
  return reduced;
}

function stackOf(error: unknown): string {
  if (!(error instanceof Error) || isViemError(error) || error.stack === undefined) return "";
  // The stack starts with the message, which may span lines and look like frames itself.
  const start = error.stack.indexOf(error.message);
  return (start >= 0 ? error.stack.slice(start + error.message.length) : error.stack)
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, STACK_FRAMES)
    .map((line) => clean(line, FRAME_MAX))
    .join("\n");
}

const repeats = (a: BoundedCause, b: BoundedCause) => a.message === b.message && a.code === b.code && a.status === b.status;

/**
 * Reduces any thrown value to a {@link BoundedError} of about 1 kB of JSON at most (texts are cut
 * by characters, so text far from ASCII may take a few kB): its type, a one-line message cut to
 * 200 characters without long hex (`shortMessage` for viem errors, never their `message`, `details`
 * or `metaMessages`), its code and status, a few stack frames (none for viem errors), and up to
 * three causes reduced the same way. A cause that only repeats the one above it (viem wraps
 * `HTTP request failed.` twice) is skipped, so the causes kept each say something new.
 * Use it as pino's `err` serializer.
 */
export function boundedError(error: unknown): BoundedError {
  const chain = [reduce(error)];
  const stack = stackOf(error);
  let bytes = Buffer.byteLength(JSON.stringify({ ...chain[0], stack }));
  let next = (error as { cause?: unknown } | null | undefined)?.cause;
  for (let hops = 0; next !== undefined && chain.length <= CAUSES_MAX && hops < HOPS_MAX; hops++) {
    const cause = reduce(next);
    next = typeof next === "object" && next !== null ? (next as { cause?: unknown }).cause : undefined;
    if (repeats(cause, chain.at(-1)!)) continue;
    // `,"cause":` joins it to the one above.
    bytes += Buffer.byteLength(JSON.stringify(cause)) + 9;
    if (bytes > BYTES_MAX) break;
    chain.push(cause);
  }
  return { ...chain.reduceRight((cause, reduced) => ({ ...reduced, cause })), stack };
}

/** `report`, at most once per `ms` for each key: a brand whose reads keep failing is one line now and then. */
export function throttled(ms: number, report: (key: string, error: unknown) => void): (key: string, error: unknown) => void {
  const last = new Map<string, number>();
  return (key, error) => {
    const now = Date.now();
    if (now - (last.get(key) ?? -Infinity) < ms) return;
    if (last.size >= 10_000) last.clear();
    last.set(key, now);
    report(key, error);
  };
}
