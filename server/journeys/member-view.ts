/**
 * A journey as a member sees it: the stamp in words, each step with whether it is done and
 * available, and never what answers a quiz or a shared code. The parts that are the same for every
 * member (stamp, questions, rules in words) are worked out once per journey; the member's own state
 * (progress, invitation, award) is laid over them.
 */
import { getAddress, type Address } from "viem";
import type { Timestamp } from "../storage/time.ts";
import { formatCode } from "./codes.ts";
import type { AwardState, Journey, StepKind } from "./types.ts";

export type JourneyStatus = "upcoming" | "open" | "ended";

export type MemberStep = {
  id: string;
  title: string;
  kind: StepKind;
  done: boolean;
  completedAt: Timestamp | null;
  /** The window is open and (ordered journeys) every earlier step is done. */
  available: boolean;
  /** Quiz steps: the questions and choices, never the answers. */
  questions?: { prompt: string; choices: string[] }[];
  /** Hold steps: what to hold, in words. */
  requires?: string;
  /** Referral steps: the member's own invitation, while the journey has not ended. */
  invitation?: { code: string };
};

export type MemberJourney = {
  id: string;
  brandId: string;
  title: string;
  description: string;
  startsAt: Timestamp | null;
  endsAt: Timestamp | null;
  status: JourneyStatus;
  ordered: boolean;
  stamp: { name: string; image: string | null; amount: string; points: string; collection: Address; tokenId: string };
  steps: MemberStep[];
  completed: boolean;
  award: AwardState | null;
};

/** What every member sees of a journey alike. */
export type JourneyFace = {
  stamp: MemberJourney["stamp"];
  steps: Pick<MemberStep, "id" | "title" | "kind" | "questions" | "requires">[];
};

export function journeyStatus(journey: Pick<Journey, "startsAt" | "endsAt">, now: Timestamp): JourneyStatus {
  // Timestamps share one fixed-width shape: text order is time order.
  if (journey.startsAt !== null && now < journey.startsAt) return "upcoming";
  if (journey.endsAt !== null && now >= journey.endsAt) return "ended";
  return "open";
}

/** The face of a journey, from its stamp's label and its hold rules in words. */
export function journeyFace(journey: Journey, stamp: { name: string; image: string | null; points: bigint }, requires: ReadonlyMap<string, string>): JourneyFace {
  return {
    stamp: {
      name: stamp.name,
      image: stamp.image,
      amount: journey.stamp.amount,
      points: stamp.points.toString(),
      collection: getAddress(journey.stamp.collection),
      tokenId: journey.stamp.tokenId,
    },
    steps: journey.steps.map((step) => {
      const face: JourneyFace["steps"][number] = { id: step.id, title: step.title, kind: step.kind };
      if (step.kind === "quiz") face.questions = step.questions.map(({ prompt, choices }) => ({ prompt, choices: [...choices] }));
      if (step.kind === "hold") face.requires = requires.get(step.id) ?? "";
      return face;
    }),
  };
}

/** One member's view: `done` maps step ids to when they were completed. */
export function memberJourney(
  journey: Journey,
  face: JourneyFace,
  member: { done: ReadonlyMap<string, Timestamp>; invitation: string | null; award: AwardState | null },
  now: Timestamp,
): MemberJourney {
  const status = journeyStatus(journey, now);
  let previousDone = true;
  const steps = face.steps.map((step): MemberStep => {
    const completedAt = member.done.get(step.id) ?? null;
    const available = status === "open" && (!journey.ordered || previousDone);
    previousDone &&= completedAt !== null;
    const view: MemberStep = { ...step, done: completedAt !== null, completedAt, available };
    if (step.kind === "referral" && member.invitation !== null) view.invitation = { code: formatCode(member.invitation) };
    return view;
  });
  return {
    id: journey.id,
    brandId: journey.brandId,
    title: journey.title,
    description: journey.description,
    startsAt: journey.startsAt,
    endsAt: journey.endsAt,
    status,
    ordered: journey.ordered,
    stamp: face.stamp,
    steps,
    completed: steps.every((s) => s.done),
    award: member.award,
  };
}
