/**
 * A journey as a brand writes it, checked field by field: every failure is an `invalid_journey`
 * problem naming the path (`steps[2].questions[0].choices`). Only the shape and the bounds are
 * checked here; what needs the chain or the brand's collections (the stamp, hold rules) is the
 * service's.
 */
import { isAddress, type Address } from "viem";
import { normalizeTimestamp, type Timestamp } from "../storage/time.ts";
import { normalizeCode } from "./codes.ts";
import { invalidJourney } from "./problems.ts";
import type { EventValue, JourneyStamp, JourneyStep, QuizQuestion } from "./types.ts";

export { JOURNEY_LIMITS } from "../../sdk/src/protocol/journeys.ts";
import { JOURNEY_LIMITS } from "../../sdk/src/protocol/journeys.ts";

export const STEP_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const EVENT_TYPE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
export const PROPERTY_KEY_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const SHARED_CODE_PATTERN = /^[A-Za-z0-9 -]{1,64}$/;
const UINT_PATTERN = /^(0|[1-9][0-9]{0,77})$/;
const UINT256_MAX = 2n ** 256n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** What a brand defines; the store adds ids and times. */
export type JourneyDefinition = {
  title: string;
  description: string;
  startsAt: Timestamp | null;
  endsAt: Timestamp | null;
  ordered: boolean;
  stamp: JourneyStamp;
  steps: JourneyStep[];
};

/** A change: any of the definition's fields. */
export type JourneyChanges = Partial<JourneyDefinition>;

type Fields = Record<string, unknown>;

function object(value: unknown, path: string): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidJourney(path, "must be an object");
  return value as Fields;
}

function onlyKeys(value: Fields, path: string, keys: readonly string[]): void {
  const extra = Object.keys(value).find((key) => !keys.includes(key));
  if (extra !== undefined) throw invalidJourney(path === "" ? extra : `${path}.${extra}`, "is not a known field");
}

const at = (path: string, key: string) => (path === "" ? key : `${path}.${key}`);

function text(value: unknown, path: string, min: number, max: number): string {
  if (typeof value !== "string") throw invalidJourney(path, "must be a string");
  if (value.length < min || value.length > max) throw invalidJourney(path, min === 0 ? `must be at most ${max} characters` : `must be ${min} to ${max} characters`);
  return value;
}

function timestamp(value: unknown, path: string): Timestamp | null {
  if (value === null || value === undefined) return null;
  const normalized = typeof value === "string" ? normalizeTimestamp(value) : null;
  if (normalized === null) throw invalidJourney(path, "must be an RFC 3339 date-time or null");
  return normalized;
}

function uint(value: unknown, path: string, min: bigint, max: bigint): string {
  const digits = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof digits !== "string" || !UINT_PATTERN.test(digits)) throw invalidJourney(path, "must be a whole number as a decimal string");
  const n = BigInt(digits);
  if (n < min || n > max) throw invalidJourney(path, `must be from ${min} to ${max === UINT256_MAX ? "2^256 - 1" : max === UINT64_MAX ? "2^64 - 1" : max}`);
  return n.toString();
}

export function parseStamp(value: unknown, path = "stamp"): JourneyStamp {
  const stamp = object(value, path);
  onlyKeys(stamp, path, ["collection", "tokenId", "amount"]);
  const collection = stamp["collection"];
  if (typeof collection !== "string" || !isAddress(collection, { strict: false })) throw invalidJourney(at(path, "collection"), "must be a 0x address");
  return {
    collection: collection.toLowerCase() as Address,
    tokenId: uint(stamp["tokenId"], at(path, "tokenId"), 0n, UINT256_MAX),
    amount: stamp["amount"] === undefined ? "1" : uint(stamp["amount"], at(path, "amount"), 1n, UINT64_MAX),
  };
}

/** A flat map of string, number and boolean values (event `match` and `properties`). */
export function parseProperties(value: unknown, path: string, options: { maxKeys: number; maxLength: number; fail?: (path: string, detail: string) => Error }): Record<string, EventValue> {
  const fail = options.fail ?? invalidJourney;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw fail(path, "must be an object");
  const entries = Object.entries(value as Fields);
  if (entries.length > options.maxKeys) throw fail(path, `has at most ${options.maxKeys} keys`);
  const result: Record<string, EventValue> = {};
  for (const [key, item] of entries) {
    if (!PROPERTY_KEY_PATTERN.test(key)) throw fail(`${path}.${key}`, "keys are 1 to 64 letters, digits, _ . or -");
    if (typeof item === "string") {
      if (item.length > options.maxLength) throw fail(`${path}.${key}`, `must be at most ${options.maxLength} characters`);
    } else if (typeof item === "number") {
      if (!Number.isFinite(item)) throw fail(`${path}.${key}`, "must be a finite number");
    } else if (typeof item !== "boolean") {
      throw fail(`${path}.${key}`, "must be a string, a number or a boolean");
    }
    result[key] = item;
  }
  return result;
}

function parseQuestion(value: unknown, path: string): QuizQuestion {
  const question = object(value, path);
  onlyKeys(question, path, ["prompt", "choices", "answer"]);
  const prompt = text(question["prompt"], at(path, "prompt"), 1, JOURNEY_LIMITS.prompt);
  const choices = question["choices"];
  if (!Array.isArray(choices) || choices.length < JOURNEY_LIMITS.minChoices || choices.length > JOURNEY_LIMITS.maxChoices) {
    throw invalidJourney(at(path, "choices"), `must be ${JOURNEY_LIMITS.minChoices} to ${JOURNEY_LIMITS.maxChoices} choices`);
  }
  const answer = question["answer"];
  if (typeof answer !== "number" || !Number.isInteger(answer) || answer < 0 || answer >= choices.length) {
    throw invalidJourney(at(path, "answer"), `must be the index of the right choice, 0 to ${choices.length - 1}`);
  }
  return { prompt, choices: choices.map((choice, i) => text(choice, `${path}.choices[${i}]`, 1, JOURNEY_LIMITS.choice)), answer };
}

function parseStep(value: unknown, path: string): JourneyStep {
  const step = object(value, path);
  const id = step["id"];
  if (typeof id !== "string" || !STEP_ID_PATTERN.test(id)) throw invalidJourney(at(path, "id"), "must be 1 to 32 letters, digits, _ or -");
  const title = text(step["title"], at(path, "title"), 1, JOURNEY_LIMITS.stepTitle);
  const base = { id, title };
  switch (step["kind"]) {
    case "quiz": {
      onlyKeys(step, path, ["id", "title", "kind", "questions"]);
      const questions = step["questions"];
      if (!Array.isArray(questions) || questions.length === 0 || questions.length > JOURNEY_LIMITS.questions) {
        throw invalidJourney(at(path, "questions"), `must be 1 to ${JOURNEY_LIMITS.questions} questions`);
      }
      return { ...base, kind: "quiz", questions: questions.map((q, i) => parseQuestion(q, `${path}.questions[${i}]`)) };
    }
    case "code": {
      if (step["mode"] === "batch") {
        onlyKeys(step, path, ["id", "title", "kind", "mode"]);
        return { ...base, kind: "code", mode: "batch" };
      }
      if (step["mode"] === "shared") {
        onlyKeys(step, path, ["id", "title", "kind", "mode", "code"]);
        const code = step["code"];
        if (typeof code !== "string" || !SHARED_CODE_PATTERN.test(code) || normalizeCode(code).length < 4) {
          throw invalidJourney(at(path, "code"), "must be 4 to 64 letters or digits (dashes and spaces are ignored)");
        }
        return { ...base, kind: "code", mode: "shared", code };
      }
      throw invalidJourney(at(path, "mode"), 'must be "batch" or "shared"');
    }
    case "event": {
      onlyKeys(step, path, ["id", "title", "kind", "event", "match"]);
      const event = step["event"];
      if (typeof event !== "string" || !EVENT_TYPE_PATTERN.test(event)) throw invalidJourney(at(path, "event"), "must be 1 to 64 letters, digits, _ . : or -");
      const match = step["match"] === undefined ? {} : parseProperties(step["match"], at(path, "match"), { maxKeys: JOURNEY_LIMITS.matchKeys, maxLength: JOURNEY_LIMITS.propertyValue });
      return { ...base, kind: "event", event, match };
    }
    case "hold": {
      onlyKeys(step, path, ["id", "title", "kind", "rule"]);
      if (step["rule"] === undefined || step["rule"] === null) throw invalidJourney(at(path, "rule"), "is required");
      return { ...base, kind: "hold", rule: step["rule"] };
    }
    case "referral":
      onlyKeys(step, path, ["id", "title", "kind"]);
      return { ...base, kind: "referral" };
    default:
      throw invalidJourney(at(path, "kind"), 'must be one of "quiz", "code", "event", "hold", "referral"');
  }
}

export function parseSteps(value: unknown, path = "steps"): JourneyStep[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > JOURNEY_LIMITS.steps) throw invalidJourney(path, `must be 1 to ${JOURNEY_LIMITS.steps} steps`);
  const steps = value.map((step, i) => parseStep(step, `${path}[${i}]`));
  const seen = new Set<string>();
  steps.forEach((step, i) => {
    if (seen.has(step.id)) throw invalidJourney(`${path}[${i}].id`, `step id ${JSON.stringify(step.id)} is used twice`);
    seen.add(step.id);
  });
  // One referral completes every referral step at once: a second would mean nothing.
  const referrals = steps.filter((s) => s.kind === "referral");
  if (referrals.length > 1) throw invalidJourney(`${path}[${steps.lastIndexOf(referrals[1]!)}].kind`, "a journey has at most one referral step");
  return steps;
}

function checkWindow(startsAt: Timestamp | null, endsAt: Timestamp | null): void {
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt) throw invalidJourney("endsAt", "must be after startsAt");
}

const FIELDS = ["title", "description", "startsAt", "endsAt", "ordered", "stamp", "steps"] as const;

/** A create request's body. */
export function parseJourney(input: unknown): JourneyDefinition {
  const body = object(input, "body");
  onlyKeys(body, "", FIELDS);
  const ordered = body["ordered"] ?? false;
  if (typeof ordered !== "boolean") throw invalidJourney("ordered", "must be true or false");
  const definition: JourneyDefinition = {
    title: text(body["title"], "title", 1, JOURNEY_LIMITS.title),
    description: body["description"] === undefined ? "" : text(body["description"], "description", 0, JOURNEY_LIMITS.description),
    startsAt: timestamp(body["startsAt"], "startsAt"),
    endsAt: timestamp(body["endsAt"], "endsAt"),
    ordered,
    stamp: parseStamp(body["stamp"]),
    steps: parseSteps(body["steps"]),
  };
  checkWindow(definition.startsAt, definition.endsAt);
  return definition;
}

/** A change request's body: at least one field. The window is checked against the journey's by the caller. */
export function parseJourneyChanges(input: unknown): JourneyChanges {
  const body = object(input, "body");
  onlyKeys(body, "", FIELDS);
  if (Object.keys(body).length === 0) throw invalidJourney("body", "change at least one field");
  const changes: JourneyChanges = {};
  if (body["title"] !== undefined) changes.title = text(body["title"], "title", 1, JOURNEY_LIMITS.title);
  if (body["description"] !== undefined) changes.description = text(body["description"], "description", 0, JOURNEY_LIMITS.description);
  if ("startsAt" in body) changes.startsAt = timestamp(body["startsAt"], "startsAt");
  if ("endsAt" in body) changes.endsAt = timestamp(body["endsAt"], "endsAt");
  if (body["ordered"] !== undefined) {
    if (typeof body["ordered"] !== "boolean") throw invalidJourney("ordered", "must be true or false");
    changes.ordered = body["ordered"];
  }
  if (body["stamp"] !== undefined) changes.stamp = parseStamp(body["stamp"]);
  if (body["steps"] !== undefined) changes.steps = parseSteps(body["steps"]);
  return changes;
}

/** Whether a window as changed stays well-formed. */
export function checkChangedWindow(current: { startsAt: Timestamp | null; endsAt: Timestamp | null }, changes: JourneyChanges): void {
  checkWindow(changes.startsAt === undefined ? current.startsAt : changes.startsAt, changes.endsAt === undefined ? current.endsAt : changes.endsAt);
}
