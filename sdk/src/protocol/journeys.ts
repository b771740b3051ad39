/** Wire shapes of journeys: what brands send and see, and what members see (never a quiz's answers). */
import { Type, type Static } from "typebox";
import { AWARD_STATUSES } from "./awards.ts";
import { AddressSchema, HexSchema, Nullable, pageOf, StringEnum, TimestampSchema, UintStringSchema } from "./common.ts";

export const STEP_KINDS = ["quiz", "code", "event", "hold", "referral"] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** How long a journey's texts may be and how many of each part it may have. */
export const JOURNEY_LIMITS = {
  title: 200,
  description: 4_000,
  steps: 20,
  stepTitle: 200,
  questions: 20,
  prompt: 500,
  minChoices: 2,
  maxChoices: 8,
  choice: 200,
  matchKeys: 20,
  propertyValue: 200,
} as const;

export const StepIdSchema = Type.String({ pattern: "^[A-Za-z0-9_-]{1,32}$" });

const EventValueSchema = Type.Union([Type.String({ maxLength: JOURNEY_LIMITS.propertyValue }), Type.Number(), Type.Boolean()]);
const PropertiesSchema = Type.Record(Type.String({ pattern: "^[A-Za-z0-9_.-]{1,64}$" }), EventValueSchema, { maxProperties: JOURNEY_LIMITS.matchKeys });

/** A step as a brand writes it; which fields apply depends on `kind`. */
const StepInput = Type.Object(
  {
    id: StepIdSchema,
    title: Type.String({ minLength: 1, maxLength: JOURNEY_LIMITS.stepTitle }),
    kind: StringEnum(STEP_KINDS),
    questions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            prompt: Type.String({ minLength: 1, maxLength: JOURNEY_LIMITS.prompt }),
            choices: Type.Array(Type.String({ minLength: 1, maxLength: JOURNEY_LIMITS.choice }), { minItems: JOURNEY_LIMITS.minChoices, maxItems: JOURNEY_LIMITS.maxChoices }),
            answer: Type.Integer({ minimum: 0, description: "Index of the right choice; members never see it" }),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: JOURNEY_LIMITS.questions, description: "quiz" },
      ),
    ),
    // code: batch (single-use codes from POST …/codes) or shared (one code, once per member).
    mode: Type.Optional(StringEnum(["batch", "shared"] as const)),
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "code in shared mode; case, dashes and spaces do not matter" })),
    event: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9_.:-]{1,64}$", description: "event: the type that completes it" })),
    match: Type.Optional(PropertiesSchema),
    rule: Type.Optional(Type.Unknown({ description: "hold: what the member must hold, a perk rule" })),
  },
  { additionalProperties: false },
);

const StampInput = Type.Object(
  { collection: AddressSchema, tokenId: Type.Union([UintStringSchema, Type.Integer({ minimum: 0 })]), amount: Type.Optional(Type.Union([UintStringSchema, Type.Integer({ minimum: 1 })])) },
  { additionalProperties: false },
);

const JourneyFields = {
  title: Type.String({ minLength: 1, maxLength: JOURNEY_LIMITS.title }),
  description: Type.String({ maxLength: JOURNEY_LIMITS.description }),
  startsAt: Type.Union([TimestampSchema, Type.Null()]),
  endsAt: Type.Union([TimestampSchema, Type.Null()]),
  ordered: Type.Boolean(),
  stamp: StampInput,
  steps: Type.Array(StepInput, { minItems: 1, maxItems: JOURNEY_LIMITS.steps }),
};

export const CreateJourneyBody = Type.Object(
  {
    title: JourneyFields.title,
    description: Type.Optional(JourneyFields.description),
    startsAt: Type.Optional(JourneyFields.startsAt),
    endsAt: Type.Optional(JourneyFields.endsAt),
    ordered: Type.Optional(JourneyFields.ordered),
    stamp: JourneyFields.stamp,
    steps: JourneyFields.steps,
  },
  { additionalProperties: false },
);

export const UpdateJourneyBody = Type.Object(
  {
    title: Type.Optional(JourneyFields.title),
    description: Type.Optional(JourneyFields.description),
    startsAt: Type.Optional(JourneyFields.startsAt),
    endsAt: Type.Optional(JourneyFields.endsAt),
    ordered: Type.Optional(JourneyFields.ordered),
    stamp: Type.Optional(JourneyFields.stamp),
    steps: Type.Optional(JourneyFields.steps),
  },
  { additionalProperties: false, minProperties: 1, description: "ordered, stamp and steps only while no member has progress" },
);

export const AdminStepSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  kind: StringEnum(STEP_KINDS),
  questions: Type.Optional(Type.Array(Type.Object({ prompt: Type.String(), choices: Type.Array(Type.String()), answer: Type.Integer() }))),
  mode: Type.Optional(StringEnum(["batch", "shared"] as const)),
  code: Type.Optional(Type.String()),
  event: Type.Optional(Type.String()),
  match: Type.Optional(Type.Unknown({ description: "property → string, number or boolean" })),
  rule: Type.Optional(Type.Unknown()),
});

/** What brands and members alike see of a journey. */
const JourneyHeadFields = {
  id: Type.String(),
  brandId: Type.String(),
  title: Type.String(),
  description: Type.String(),
  startsAt: Nullable(TimestampSchema),
  endsAt: Nullable(TimestampSchema),
};

/** A journey as its brand sees it: everything, answers and shared codes included. */
export const AdminJourneySchema = Type.Object({
  ...JourneyHeadFields,
  ordered: Type.Boolean(),
  stamp: Type.Object({ collection: AddressSchema, tokenId: Type.String(), amount: Type.String() }),
  steps: Type.Array(AdminStepSchema),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  warnings: Type.Optional(
    Type.Array(
      Type.Object({
        stepId: Type.String(),
        code: StringEnum(["shared_code_guessable"] as const),
        message: Type.String({ description: "In words: why, how long guessing would take at the deployment's limits, and what to do" }),
      }),
      { description: "What the brand may want to change (present only when there is something to say); the journey is saved as sent" },
    ),
  ),
});

const AwardSchema = Nullable(Type.Object({ status: StringEnum(AWARD_STATUSES), txHash: Nullable(Type.String()) }));

export const ProgressPageSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      member: AddressSchema,
      startedAt: TimestampSchema,
      steps: Type.Record(Type.String(), TimestampSchema, { description: "step id → when it was completed" }),
      completedAt: Nullable(TimestampSchema),
      award: AwardSchema,
    }),
  ),
  nextCursor: Nullable(Type.String()),
});

/** At most this many single-use codes per batch. */
export const MAX_CODES_PER_BATCH = 1_000;

/** `POST /v1/admin/journeys/:id/steps/:stepId/codes`: a batch of single-use codes for a code step. */
export const CodeBatchBody = Type.Object({ count: Type.Integer({ minimum: 1, maximum: MAX_CODES_PER_BATCH }) }, { additionalProperties: false });
export const CodeBatchSchema = Type.Object({ batchId: Type.String(), codes: Type.Array(Type.String()) });

export const EventBody = Type.Object(
  {
    type: Type.String({ pattern: "^[A-Za-z0-9_.:-]{1,64}$" }),
    member: AddressSchema,
    properties: Type.Optional(PropertiesSchema),
    occurredAt: Type.Optional(Type.Union([TimestampSchema, Type.Null()], { description: "default now; at most a minute ahead, at most 30 days back" })),
    idempotencyKey: Type.Optional(Type.String({ description: "instead of the Idempotency-Key header" })),
  },
  { additionalProperties: false },
);

export const EventAnswerSchema = Type.Object({
  id: Type.String(),
  duplicate: Type.Boolean({ description: "The key was used before: this is the first answer, and nothing changed" }),
  matched: Type.Array(Type.Object({ journeyId: Type.String(), stepId: Type.String() }), { description: "The steps this event completed" }),
});

export const MemberStepSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  kind: StringEnum(STEP_KINDS),
  done: Type.Boolean(),
  completedAt: Nullable(TimestampSchema),
  available: Type.Boolean({ description: "The journey is open and (ordered) every earlier step is done" }),
  questions: Type.Optional(Type.Array(Type.Object({ prompt: Type.String(), choices: Type.Array(Type.String()) }))),
  requires: Type.Optional(Type.String({ description: "hold: what to hold, in words" })),
  invitation: Type.Optional(Type.Object({ code: Type.String({ description: "A friend who signs in for the first time with it completes this step" }), url: Type.Optional(Type.String()) })),
});

export const MemberJourneySchema = Type.Object({
  ...JourneyHeadFields,
  status: StringEnum(["upcoming", "open", "ended"] as const),
  ordered: Type.Boolean(),
  stamp: Type.Object({
    name: Type.String(),
    image: Nullable(Type.String()),
    amount: Type.String(),
    points: Type.String({ description: "amount x the type's points" }),
    collection: AddressSchema,
    tokenId: Type.String(),
  }),
  steps: Type.Array(MemberStepSchema),
  completed: Type.Boolean(),
  award: AwardSchema,
});

export const CompletionBody = Type.Object(
  {
    answers: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: JOURNEY_LIMITS.maxChoices - 1 }), { maxItems: JOURNEY_LIMITS.questions, description: "quiz: the chosen index per question" })),
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "code steps" })),
  },
  { additionalProperties: false },
);

export const CompletionAnswerSchema = Type.Object({ step: MemberStepSchema, journey: MemberJourneySchema });

export type CreateJourneyRequest = Static<typeof CreateJourneyBody>;
export type UpdateJourneyRequest = Static<typeof UpdateJourneyBody>;
/** A journey as its brand sees it: everything, answers and shared codes included. */
export type AdminJourney = Static<typeof AdminJourneySchema>;
export type ProgressPage = Static<typeof ProgressPageSchema>;
export type CodeBatchRequest = Static<typeof CodeBatchBody>;
export type CodeBatch = Static<typeof CodeBatchSchema>;
export type EventRequest = Static<typeof EventBody>;
export type EventAnswer = Static<typeof EventAnswerSchema>;
/** One step of a journey as a member sees it. */
export type MemberJourneyStep = Static<typeof MemberStepSchema>;
/** A journey as a member sees it: its steps, the member's progress, the stamp it awards. */
export type MemberJourney = Static<typeof MemberJourneySchema>;
/** `POST /v1/journeys/:journeyId/steps/:stepId/complete`'s body and answer. */
export type CompletionRequest = Static<typeof CompletionBody>;
export type CompletionAnswer = Static<typeof CompletionAnswerSchema>;
