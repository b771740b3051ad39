/**
 * Journeys: a brand's list of steps (a quiz, a code, an event the brand reports, holding something, a
 * friend brought in) that a member completes to earn a stamp. Progress is once per member and step;
 * the progress that completes a journey creates, in the same transaction, the member's one award row
 * (`awards`, server/storage/sql/award-schema.ts) that the award queue then mints.
 */
import type { Announce } from "../webhooks/types.ts";
import type { Address } from "viem";
import type { Page } from "../storage/store.ts";
import type { Timestamp } from "../storage/time.ts";

export { STEP_KINDS, type StepKind } from "../../sdk/src/protocol/journeys.ts";

export type QuizQuestion = { prompt: string; choices: string[]; /** Index into `choices`; only brands ever see it. */ answer: number };
/** A property value an event carries and a step matches on. */
export type EventValue = string | number | boolean;

type StepBase = { id: string; title: string };
export type QuizStep = StepBase & { kind: "quiz"; questions: QuizQuestion[] };
/** `batch`: single-use codes the brand generates (stored only as hashes); `shared`: one code everyone may use once. */
export type CodeStep = StepBase & ({ kind: "code"; mode: "batch" } | { kind: "code"; mode: "shared"; code: string });
/** Completed by an event the brand reports whose type is `event` and whose properties include every `match` pair. */
export type EventStep = StepBase & { kind: "event"; event: string; match: Record<string, EventValue> };
/** Completed when the member holds what `rule` asks, checked on chain when they ask. */
export type HoldStep = StepBase & { kind: "hold"; rule: unknown };
/** Completed when a new member signs in with the member's invitation. */
export type ReferralStep = StepBase & { kind: "referral" };
export type JourneyStep = QuizStep | CodeStep | EventStep | HoldStep | ReferralStep;

/** What a completed journey awards: `amount` of collectible `tokenId` of `collection` (lowercase). */
export type JourneyStamp = { collection: Address; tokenId: string; amount: string };

export interface Journey {
  id: string;
  brandId: string;
  title: string;
  description: string;
  /** Open from `startsAt` (inclusive) to `endsAt` (exclusive); `null` = unbounded. */
  startsAt: Timestamp | null;
  endsAt: Timestamp | null;
  /** Steps must be completed in order. */
  ordered: boolean;
  stamp: JourneyStamp;
  /** At least one; ids unique within the journey. Fixed once any member has progress. */
  steps: JourneyStep[];
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export type NewJourney = Omit<Journey, "updatedAt">;

/** Fields to change; absent fields keep their value. `ordered`, `stamp` and `steps` only while nobody has progress. */
export interface JourneyPatch {
  title?: string;
  description?: string;
  startsAt?: Timestamp | null;
  endsAt?: Timestamp | null;
  ordered?: boolean;
  stamp?: JourneyStamp;
  steps?: JourneyStep[];
  updatedAt: Timestamp;
}

export type CreateJourneyResult = { status: "created"; journey: Journey } | { status: "quota_exceeded"; limit: number };
export type UpdateJourneyResult = { status: "updated"; journey: Journey } | { status: "not_found" } | { status: "has_progress" };

/** How a step came to be completed. */
export type ProgressVia = "member" | "event" | "referral";

export type AwardStatus = "pending" | "sending" | "awarded" | "failed";
/** A member's award for a journey, as the award queue left it. */
export type AwardState = { status: AwardStatus; txHash: string | null };

export type StepRef = { journeyId: string; stepId: string };

export interface StepCompletion {
  journeyId: string;
  stepId: string;
  member: Address;
  via: ProgressVia;
  /** When the step counts as completed; the journey's window is checked at this instant. */
  completedAt: Timestamp;
  /** When this is recorded (the award row's creation time). */
  now: Timestamp;
  /** A batch code step: the SHA-256 (hex) of the normalised code, used up by this completion. */
  codeHash?: string;
}

/** A journey a member just completed, as the store tells a webhook composer (inside its transaction). */
export type JourneyCompletion = { journey: Journey; member: Address; completedAt: Timestamp; recordedAt: Timestamp; awardId: string | null };

/**
 * Outcome of a completion, decided in one transaction that holds the member's place on the journey:
 * the journey is live, the step exists, the window is open at `completedAt`, the step is not done yet,
 * (ordered) the steps before it are done, the batch code is unused. A refusal writes nothing.
 */
export type CompleteStepResult =
  | { status: "completed"; completedAt: Timestamp; /** This completion finished the journey. */ journeyCompleted: boolean; /** The award row it created, if it did. */ awardId: string | null }
  | { status: "already_done"; completedAt: Timestamp }
  | { status: "journey_not_found" }
  | { status: "step_not_found" }
  | { status: "not_started" }
  | { status: "ended" }
  | { status: "step_locked"; /** The first earlier step not done yet. */ waitingFor: string }
  | { status: "code_invalid" }
  | { status: "code_used" };

/** A member's progress across journeys: what the member list reads in one query. */
export interface MemberProgress {
  steps: { journeyId: string; stepId: string; completedAt: Timestamp }[];
  /** The member's invitation code per journey (normalised: upper case, no dashes). */
  invitations: { journeyId: string; code: string }[];
}

/** One member's progress on one journey, for the brand. */
export interface JourneyProgress {
  member: Address;
  startedAt: Timestamp;
  /** Completed steps: step id → when. */
  steps: Record<string, Timestamp>;
  completedAt: Timestamp | null;
  award: AwardState | null;
}

/** An event a brand reports, with the idempotency key it came with. */
export interface JourneyEvent {
  id: string;
  brandId: string;
  idempotencyKey: string;
  /** SHA-256 (hex) of the request, to tell a retry from a different request reusing the key. */
  requestHash: string;
  type: string;
  member: Address;
  properties: Record<string, EventValue>;
  occurredAt: Timestamp;
  receivedAt: Timestamp;
}

/** An event as stored, with the steps it completed. */
export type StoredJourneyEvent = JourneyEvent & { matched: StepRef[] };

export type RecordEventResult =
  | { status: "recorded"; event: StoredJourneyEvent; /** Awards this event created. */ awards: number }
  | { status: "duplicate"; event: StoredJourneyEvent };

export type SignInResult = {
  /** First sign-in of this address. */
  firstSignIn: boolean;
  /** The referral the invitation made, if the member was new and the invitation valid. */
  referral: { journeyId: string; inviter: Address; stepId: string; /** Whether it completed the inviter's step. */ counted: boolean; awardId: string | null } | null;
};

/** Journeys: brand-defined steps a member completes to earn a stamp. */
export interface JourneyStore {
  /** Creates a journey unless the brand has `quota.journeys` live ones (checked in the same transaction). */
  createJourney(journey: NewJourney, quota: { journeys: number }): Promise<CreateJourneyResult>;
  /** A live (not deleted) journey, or null. */
  getJourney(id: string): Promise<Journey | null>;
  /** Live journeys, newest first: one brand's, or every brand's. */
  listJourneys(query?: { brandId?: string }): Promise<Journey[]>;
  /** Changes one of the brand's live journeys; `ordered`, `stamp` and `steps` only while no member has progress. */
  updateJourney(brandId: string, id: string, patch: JourneyPatch): Promise<UpdateJourneyResult>;
  /** Soft-deletes a journey: progress and awards stay. False if missing, deleted or another brand's. */
  deleteJourney(brandId: string, id: string, now: Timestamp): Promise<boolean>;

  /**
   * Records a step for a member (see {@link CompleteStepResult}) and, when the member's progress now
   * covers every step, the member's award in the same transaction (once per member and journey).
   */
  completeStep(input: StepCompletion, announce?: Announce<JourneyCompletion>): Promise<CompleteStepResult>;
  /** The member's completed steps and invitations across journeys (one query). */
  memberProgress(member: Address): Promise<MemberProgress>;
  /** The member's awards, per journey (one query). */
  journeyAwards(member: Address): Promise<Map<string, AwardState>>;
  /** Members with progress on a journey, most recently started first, keyset-paged. */
  listProgress(journeyId: string, query: { limit: number; cursor?: string | null }): Promise<Page<JourneyProgress>>;

  /** Stores single-use codes (SHA-256 hex each) for a batch code step; returns the hashes stored (a hash already stored for the step is skipped). */
  addJourneyCodes(input: { journeyId: string; stepId: string; batchId: string; hashes: string[]; createdAt: Timestamp }): Promise<string[]>;

  /** The event a brand reported with this key, or null. */
  findJourneyEvent(brandId: string, idempotencyKey: string): Promise<StoredJourneyEvent | null>;
  /**
   * Records an event once per (brand, key) and completes the given event steps of the brand's
   * journeys for its member, at `occurredAt`, all in one transaction. A step that is refused (done,
   * locked, outside the window) is left out of `matched`. A key already used: `duplicate`, nothing changes.
   */
  recordJourneyEvent(event: JourneyEvent, steps: StepRef[], announce?: Announce<JourneyCompletion>): Promise<RecordEventResult>;

  /** The member's invitation code for a journey: `code` (normalised) if they had none, else the one they have. */
  ensureInvitation(journeyId: string, member: Address, code: string, now: Timestamp): Promise<string>;
  /**
   * Records a sign-in: the first one of an address makes it a member. A new member who came with an
   * invitation (normalised code) completes the inviter's referral step, unless they invited themselves
   * or the journey is gone or closed.
   */
  recordSignIn(input: { member: Address; invitation: string | null; now: Timestamp }, announce?: Announce<JourneyCompletion>): Promise<SignInResult>;
}
