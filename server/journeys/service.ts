/**
 * Journeys: brands define them (checked against their own collections; hold steps' rules as a perk's), issue
 * codes and report events; members list them with their progress and complete steps. What must
 * happen once (a step per member, a code, an event per key, the award per member) the store decides in
 * one transaction; this layer checks what a member sent (answers, codes, holdings read fresh from the
 * chain) before it asks.
 *
 * Long because it is the one service of a journey's life (define, list, complete, events, codes,
 * invitations); the definitions, codes, attempts and member view are already apart.
 */
import { createHash } from "node:crypto";
import type { Address } from "viem";
import type { CollectionDirectory } from "../brands/directory.ts";
import { Problem } from "../errors.ts";
import type { Rules } from "../rules/index.ts";
import { newId, normalizeTimestamp, toTimestamp, type BrandStore, type Page } from "../storage/index.ts";
import type { Timestamp } from "../storage/time.ts";
import { codeHash, newInvitationCode, newStepCode, normalizeCode } from "./codes.ts";
import { checkChangedWindow, EVENT_TYPE_PATTERN, JOURNEY_LIMITS, parseJourney, parseJourneyChanges, parseProperties, type JourneyDefinition } from "./definition.ts";
import { journeyFace, journeyStatus, memberJourney, type JourneyFace, type MemberJourney, type MemberStep } from "./member-view.ts";
import { completionRefused, idempotencyKeyReused, invalidJourney, journeyHasProgress, journeyNotFound, notMemberCompletable, quizWrong, stepNotFound } from "./problems.ts";
import type { AwardState, EventValue, Journey, JourneyCompletion, JourneyProgress, JourneyStamp, JourneyStep, JourneyStore, StepRef, StoredJourneyEvent } from "./types.ts";
import { webhookMessage } from "../webhooks/messages.ts";

/** The journey.completed message, written with the completion that finishes a journey. */
const announceCompletion = ({ journey, member, completedAt, recordedAt, awardId }: JourneyCompletion) => [
  webhookMessage(journey.brandId, "journey.completed", { journey: { id: journey.id, title: journey.title }, member: { address: member }, awardId, completedAt }, recordedAt),
];

/**
 * Hold steps' rules, from the rules module: `validate` refuses (400 `invalid_rule`, its path inside
 * the step) what a perk could not store either, `checkRule` reads the member's holdings fresh,
 * `describe` words a rule ("a Gold membership").
 */
export type HoldRules = Pick<Rules, "validate" | "checkRule" | "describe">;

/** How a stamp looks to members. */
export type StampBook = {
  /** Name and picture of the token type; `points`: what `amount` of it is worth (amount x the type's points). */
  describe(collection: Address, tokenId: bigint, amount: bigint): Promise<{ name: string; image: string | null; points: bigint }>;
  /** Whether the type exists and is a collectible (a membership cannot be awarded to a holder twice). */
  isCollectible(collection: Address, tokenId: bigint): Promise<boolean>;
};

export type JourneyServiceDeps = {
  store: JourneyStore & Pick<BrandStore, "getBrand">;
  /** Stamps are awarded only on the brand's own registered collections. */
  directory: Pick<CollectionDirectory, "ownerOf">;
  rules: HoldRules;
  stamps: StampBook;
  /** How long the list of journeys (and each one's face) may be reused for members' lists; 0: read every time. */
  cacheMs: number;
  /** Live journeys per brand; default 100. */
  maxJourneysPerBrand?: number;
  now?: () => Date;
  /** Told after each transaction that created an award (the award queue's nudge). */
  onAwardQueued?: () => void;
  /** Told after each journey this instance creates, changes or deletes. */
  onChange?: () => void;
};

/** What a member sends to complete a step: answers for a quiz, a code for a code step, nothing for a hold step. */
export type CompletionInput = { answers?: number[]; code?: string };

/** What a brand sends to report an event. */
export type EventInput = { type: string; member: string; properties?: Record<string, unknown>; occurredAt?: string | null };
export type EventAnswer = { id: string; duplicate: boolean; matched: StepRef[] };

export const DEFAULT_MAX_JOURNEYS_PER_BRAND = 100;
export { MAX_CODES_PER_BATCH } from "../../sdk/src/protocol/journeys.ts";
import { MAX_CODES_PER_BATCH } from "../../sdk/src/protocol/journeys.ts";
/** How far an event's time may lie ahead of the server's clock, and how far back. */
const EVENT_FUTURE_MS = 60_000;
const EVENT_PAST_MS = 30 * 24 * 3600_000;
const MAX_JOURNEY_LISTS = 1_000;

const eventInvalid = (path: string, detail: string) => new Problem(400, "validation_failed", "The event is not valid", `${path}: ${detail}`, { path });

export function createJourneys(deps: JourneyServiceDeps) {
  const { store, rules, stamps } = deps;
  const now = deps.now ?? (() => new Date());
  const at = () => toTimestamp(now());
  const maxJourneys = deps.maxJourneysPerBrand ?? DEFAULT_MAX_JOURNEYS_PER_BRAND;
  const journeyLists = new Map<string, { at: number; journeys: Journey[] }>();
  const faces = new WeakMap<Journey, Promise<JourneyFace>>();
  // Counts changes: a list read from the store before one must not be cached.
  let generation = 0;

  /** Journeys changed (here or, when told, on another instance): read them again. */
  function journeysChanged(): void {
    generation++;
    journeyLists.clear();
  }

  function changed(): void {
    journeysChanged();
    deps.onChange?.();
  }

  async function journeyList(brandId: string | undefined): Promise<Journey[]> {
    const key = brandId ?? "";
    const cached = journeyLists.get(key);
    if (cached && Date.now() - cached.at < deps.cacheMs) return cached.journeys;
    const loading = generation;
    const journeys = await store.listJourneys(brandId === undefined ? {} : { brandId });
    if (deps.cacheMs > 0 && loading === generation) {
      if (journeyLists.size >= MAX_JOURNEY_LISTS) journeyLists.clear();
      journeyLists.set(key, { at: Date.now(), journeys });
    }
    return journeys;
  }

  /** What every member sees of a journey; worked out once per journey object (cached lists share them). */
  function faceOf(journey: Journey): Promise<JourneyFace> {
    let face = faces.get(journey);
    if (face === undefined) {
      face = (async () => {
        const { collection, tokenId, amount } = journey.stamp;
        const holds = journey.steps.filter((s) => s.kind === "hold");
        const [label, ...texts] = await Promise.all([
          stamps.describe(collection, BigInt(tokenId), BigInt(amount)),
          // A rule the grammar no longer reads shows no words rather than hiding every journey.
          ...holds.map((s) => rules.describe(journey.brandId, s.rule).catch((error: unknown) => (error instanceof Problem && error.status === 400 ? "" : Promise.reject(error)))),
        ]);
        return journeyFace(journey, label, new Map(holds.map((s, i) => [s.id, texts[i]!])));
      })();
      faces.set(journey, face);
      // A failure (the chain was away) is not kept: the next list tries again.
      face.catch(() => faces.delete(journey));
    }
    return face;
  }

  async function checkStamp(brandId: string, stamp: JourneyStamp): Promise<void> {
    if ((await deps.directory.ownerOf(stamp.collection)) !== brandId) {
      throw invalidJourney("stamp.collection", "must be a collection registered to this brand (POST /v1/admin/collections)");
    }
    if (!(await stamps.isCollectible(stamp.collection, BigInt(stamp.tokenId)))) {
      throw invalidJourney("stamp.tokenId", `must be a collectible token type of the collection (memberships cannot be awarded)`);
    }
  }

  /** Hold steps' rules, checked as a perk's rule is: what one may store, the other may. */
  async function checkRules(brandId: string, steps: JourneyStep[]): Promise<void> {
    for (const [i, step] of steps.entries()) if (step.kind === "hold") await rules.validate(brandId, step.rule, `steps[${i}].rule`);
  }

  async function brandJourney(brandId: string, id: string): Promise<Journey> {
    const journey = await store.getJourney(id);
    // Another brand's journey is no different from a missing one.
    if (journey === null || journey.brandId !== brandId) throw journeyNotFound(id);
    return journey;
  }

  /** The member's progress, invitations and awards, on the given journeys (invitations made where missing). */
  async function memberState(member: Address, journeys: readonly Journey[], stamp: Timestamp) {
    const progress = await store.memberProgress(member);
    const done = new Map<string, Map<string, Timestamp>>();
    for (const s of progress.steps) {
      let steps = done.get(s.journeyId);
      if (steps === undefined) done.set(s.journeyId, (steps = new Map()));
      steps.set(s.stepId, s.completedAt);
    }
    const invitations = new Map(progress.invitations.map((i) => [i.journeyId, i.code]));
    // Invitations are made the first time a member sees a referral step; the same one ever after.
    await Promise.all(
      journeys
        .filter((j) => !invitations.has(j.id) && j.steps.some((s) => s.kind === "referral") && journeyStatus(j, stamp) !== "ended")
        .map(async (j) => invitations.set(j.id, await store.ensureInvitation(j.id, member, newInvitationCode(), stamp))),
    );
    // Only a member who finished a journey has an award to read.
    const finished = journeys.some((j) => j.steps.every((s) => done.get(j.id)?.has(s.id)));
    const awards: ReadonlyMap<string, AwardState> = finished ? await store.journeyAwards(member) : new Map();
    return { done, invitations, awards };
  }

  async function view(member: Address, journey: Journey, stamp: Timestamp): Promise<MemberJourney> {
    const [face, state] = await Promise.all([faceOf(journey), memberState(member, [journey], stamp)]);
    return memberJourney(journey, face, { done: state.done.get(journey.id) ?? new Map(), invitation: state.invitations.get(journey.id) ?? null, award: state.awards.get(journey.id) ?? null }, stamp);
  }

  function eventMatches(step: JourneyStep, type: string, properties: Record<string, EventValue>): boolean {
    return step.kind === "event" && step.event === type && Object.entries(step.match).every(([key, value]) => properties[key] === value);
  }

  function requestHash(parts: unknown): string {
    return createHash("sha256").update(JSON.stringify(parts), "utf8").digest("hex");
  }

  function eventAnswer(event: StoredJourneyEvent, duplicate: boolean): EventAnswer {
    return { id: event.id, duplicate, matched: event.matched };
  }

  return {
    journeysChanged,

    // Brands

    async create(brandId: string, input: unknown): Promise<Journey> {
      const definition: JourneyDefinition = parseJourney(input);
      await checkRules(brandId, definition.steps);
      await checkStamp(brandId, definition.stamp);
      const result = await store.createJourney({ id: `jrn_${newId().replaceAll("-", "")}`, brandId, ...definition, createdAt: at() }, { journeys: maxJourneys });
      if (result.status === "quota_exceeded") {
        throw new Problem(409, "quota_exceeded", "The brand is at one of its bounds", `A brand may have at most ${result.limit} live journeys; delete some first.`, { quota: "journeys", limit: result.limit });
      }
      changed();
      return result.journey;
    },

    async update(brandId: string, id: string, input: unknown): Promise<Journey> {
      const changes = parseJourneyChanges(input);
      const current = await brandJourney(brandId, id);
      checkChangedWindow(current, changes);
      if (changes.steps !== undefined) await checkRules(brandId, changes.steps);
      if (changes.stamp !== undefined) await checkStamp(brandId, changes.stamp);
      const result = await store.updateJourney(brandId, id, { ...changes, updatedAt: at() });
      if (result.status === "not_found") throw journeyNotFound(id);
      if (result.status === "has_progress") throw journeyHasProgress();
      changed();
      return result.journey;
    },

    async remove(brandId: string, id: string): Promise<void> {
      if (!(await store.deleteJourney(brandId, id, at()))) throw journeyNotFound(id);
      changed();
    },

    ofBrand: (brandId: string): Promise<Journey[]> => store.listJourneys({ brandId }),

    get: brandJourney,

    /** New single-use codes for a batch code step, shown this once (only their hashes are kept). */
    async issueCodes(brandId: string, id: string, stepId: string, count: number): Promise<{ batchId: string; codes: string[] }> {
      if (!Number.isInteger(count) || count < 1 || count > MAX_CODES_PER_BATCH) throw new Problem(400, "validation_failed", "The request is not valid", `count must be 1 to ${MAX_CODES_PER_BATCH}`);
      const journey = await brandJourney(brandId, id);
      const index = journey.steps.findIndex((s) => s.id === stepId);
      const step = journey.steps[index];
      if (step === undefined) throw stepNotFound(id, stepId);
      if (step.kind !== "code" || step.mode !== "batch") throw invalidJourney(`steps[${index}]`, "codes are issued only for code steps in batch mode");
      const batchId = `batch_${newId().replaceAll("-", "")}`;
      const codes: string[] = [];
      // 40 random bits a code: a clash with a code the step already has is rare, and just drawn again.
      for (let round = 0; codes.length < count; round++) {
        if (round >= 10) throw new Error("could not draw unused codes");
        const drawn = new Map<string, string>();
        while (drawn.size < count - codes.length) {
          const code = newStepCode();
          drawn.set(codeHash(code), code);
        }
        const stored = await store.addJourneyCodes({ journeyId: id, stepId, batchId, hashes: [...drawn.keys()], createdAt: at() });
        for (const hash of stored) codes.push(drawn.get(hash)!);
      }
      return { batchId, codes };
    },

    async progress(brandId: string, id: string, query: { limit: number; cursor: string | null }): Promise<Page<JourneyProgress>> {
      await brandJourney(brandId, id);
      return store.listProgress(id, query);
    },

    /**
     * Records an event once per key and completes the brand's event steps it matches: journeys open
     * at `occurredAt`, steps whose `event` is the type and whose `match` pairs the properties all
     * have. An ordered journey's step counts only if the steps before it are done; a step that does
     * not count is not kept for later.
     */
    async ingestEvent(brandId: string, idempotencyKey: string, input: EventInput): Promise<EventAnswer> {
      if (typeof input.type !== "string" || !EVENT_TYPE_PATTERN.test(input.type)) throw eventInvalid("type", "must be 1 to 64 letters, digits, _ . : or -");
      if (typeof input.member !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(input.member)) throw eventInvalid("member", "must be a 0x address");
      const member = input.member.toLowerCase() as Address;
      const properties = parseProperties(input.properties ?? {}, "properties", { maxKeys: JOURNEY_LIMITS.matchKeys, maxLength: JOURNEY_LIMITS.propertyValue, fail: eventInvalid });
      const receivedAt = at();
      let occurredAt = receivedAt;
      if (input.occurredAt !== undefined && input.occurredAt !== null) {
        const normalized = normalizeTimestamp(input.occurredAt);
        if (normalized === null) throw eventInvalid("occurredAt", "must be an RFC 3339 date-time");
        const ms = Date.parse(normalized);
        if (ms > now().getTime() + EVENT_FUTURE_MS) throw eventInvalid("occurredAt", "must not be more than a minute ahead");
        if (ms < now().getTime() - EVENT_PAST_MS) throw eventInvalid("occurredAt", "must be within the last 30 days");
        occurredAt = normalized;
      }
      const hash = requestHash([input.type, member, Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : 1)), input.occurredAt ? occurredAt : null]);
      const replay = (event: StoredJourneyEvent): EventAnswer => {
        if (event.requestHash !== hash) throw idempotencyKeyReused();
        return eventAnswer(event, true);
      };

      const previous = await store.findJourneyEvent(brandId, idempotencyKey);
      if (previous !== null) return replay(previous);
      const steps: StepRef[] = [];
      for (const journey of await store.listJourneys({ brandId })) {
        if (journeyStatus(journey, occurredAt) !== "open") continue;
        for (const step of journey.steps) if (eventMatches(step, input.type, properties)) steps.push({ journeyId: journey.id, stepId: step.id });
      }
      const result = await store.recordJourneyEvent(
        { id: `evt_${newId().replaceAll("-", "")}`, brandId, idempotencyKey, requestHash: hash, type: input.type, member, properties, occurredAt, receivedAt },
        steps,
        announceCompletion,
      );
      if (result.status === "duplicate") return replay(result.event);
      if (result.awards > 0) deps.onAwardQueued?.();
      return eventAnswer(result.event, false);
    },

    // Members

    /** Every live journey (or one brand's), with the member's progress: two reads, three the first time a referral step shows. */
    /** The journeys (one brand's, or all), with the member's progress; 404 `brand_not_found` for a brand that does not exist. */
    async list(member: Address, query: { brandId?: string } = {}): Promise<MemberJourney[]> {
      const journeys = await journeyList(query.brandId);
      if (journeys.length === 0) {
        // Only an empty list asks: a brand with journeys exists.
        if (query.brandId !== undefined && (await store.getBrand(query.brandId)) === null) throw new Problem(404, "brand_not_found", "No such brand", `brand ${query.brandId}`);
        return [];
      }
      const stamp = at();
      const [faces, state] = await Promise.all([Promise.all(journeys.map(faceOf)), memberState(member, journeys, stamp)]);
      return journeys.map((journey, i) =>
        memberJourney(journey, faces[i]!, { done: state.done.get(journey.id) ?? new Map(), invitation: state.invitations.get(journey.id) ?? null, award: state.awards.get(journey.id) ?? null }, stamp),
      );
    },

    /**
     * Completes a step for the member. A step already done answers with the same state. Answers, codes
     * and holdings are checked here; the window, the order, single use and the award in the store's
     * one transaction. `recorded`: this call recorded the step (false: it was done already).
     */
    async complete(member: Address, journeyId: string, stepId: string, input: CompletionInput): Promise<{ step: MemberStep; journey: MemberJourney; recorded: boolean }> {
      const journey = await store.getJourney(journeyId);
      if (journey === null) throw journeyNotFound(journeyId);
      const index = journey.steps.findIndex((s) => s.id === stepId);
      const step = journey.steps[index];
      if (step === undefined) throw stepNotFound(journeyId, stepId);
      const answer = async (recorded: boolean) => {
        const current = await view(member, journey, at());
        return { step: current.steps[index]!, journey: current, recorded };
      };

      const stamp = at();
      const done = (await store.memberProgress(member)).steps.filter((s) => s.journeyId === journeyId);
      if (done.some((s) => s.stepId === stepId)) return answer(false);
      if (step.kind === "event" || step.kind === "referral") throw notMemberCompletable(step.kind);
      const status = journeyStatus(journey, stamp);
      if (status !== "open") throw completionRefused({ status: status === "upcoming" ? "not_started" : "ended" }, journeyId, stepId, journey);
      if (journey.ordered) {
        const waiting = journey.steps.slice(0, index).find((s) => !done.some((d) => d.stepId === s.id));
        if (waiting !== undefined) throw completionRefused({ status: "step_locked", waitingFor: waiting.id }, journeyId, stepId, journey);
      }

      let hash: string | undefined;
      switch (step.kind) {
        case "quiz": {
          const answers = input.answers;
          if (!Array.isArray(answers) || answers.length !== step.questions.length) {
            throw new Problem(400, "validation_failed", "The request is not valid", `answers must hold one choice index for each of the ${step.questions.length} questions`);
          }
          const wrong = step.questions.filter((q, i) => answers[i] !== q.answer).length;
          if (wrong > 0) throw quizWrong(wrong, step.questions.length);
          break;
        }
        case "code": {
          if (typeof input.code !== "string" || input.code.length === 0) throw new Problem(400, "validation_failed", "The request is not valid", "send the code as code");
          if (step.mode === "shared") {
            if (normalizeCode(input.code) !== normalizeCode(step.code)) throw completionRefused({ status: "code_invalid" }, journeyId, stepId, journey);
          } else {
            hash = codeHash(input.code);
          }
          break;
        }
        case "hold": {
          // Never a cached snapshot: what the member holds right now. Their own holdings only: a step
          // is done once per wallet, so a vault's holdings would earn its stamp once per delegate.
          const outcome = await rules.checkRule(member, journey.brandId, step.rule, { vaults: false });
          if (!outcome.eligible) {
            throw new Problem(403, "not_eligible", "You do not hold what this step asks for yet", outcome.reasons.map((r) => r.message).join("; "), { reasons: outcome.reasons });
          }
          break;
        }
      }

      const result = await store.completeStep({ journeyId, stepId, member, via: "member", completedAt: stamp, now: stamp, ...(hash === undefined ? {} : { codeHash: hash }) }, announceCompletion);
      if (result.status === "completed" && result.awardId !== null) deps.onAwardQueued?.();
      if (result.status !== "completed" && result.status !== "already_done") throw completionRefused(result, journeyId, stepId, journey);
      return answer(result.status === "completed");
    },

    /**
     * A new member who signed in with an invitation (the member registry asks): the sign-in that makes
     * them a member completes the inviter's referral step, in one write. False for a code that cannot
     * be an invitation: the registry records a plain member.
     */
    async invited(member: Address, invitation: string): Promise<boolean> {
      const code = normalizeCode(invitation);
      if (!/^[A-Z0-9]{1,64}$/.test(code)) return false;
      const result = await store.recordSignIn({ member, invitation: code, now: at() }, announceCompletion);
      if (result.referral?.awardId) deps.onAwardQueued?.();
      return true;
    },
  };
}

export type Journeys = ReturnType<typeof createJourneys>;
