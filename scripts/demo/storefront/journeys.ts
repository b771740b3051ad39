/**
 * Journeys as cards: the stamp each earns, its steps with the member's progress, a form for the steps
 * a member completes here (quiz, code, hold), and where the stamp is once the journey is done.
 */
import type { MemberJourney, MemberJourneyStep, StepInput } from "@stampbook/sdk";
import { act, actionStatus, badge, button, el, explain, picture, points, report, technicalDetails } from "./dom.ts";

/** Completes a step and answers what to tell the member; the card is redrawn from the journey it returns. */
export type CompleteStep = (journey: MemberJourney, step: MemberJourneyStep, input: StepInput) => Promise<string>;

/** The last thing each journey's card said (by journey id), kept when the card is redrawn. */
const notes = new Map<string, { state: "pending" | "done" | "failed"; text: string }>();

export function forgetNotes() {
  notes.clear();
}

/** Whether the journey's stamp is still on its way (the page then keeps looking). */
export function awardMoving(journey: MemberJourney): boolean {
  if (!journey.completed) return false;
  return journey.award === null || journey.award.status === "pending" || journey.award.status === "sending";
}

export function journeyCard(journey: MemberJourney, complete: CompleteStep): HTMLLIElement {
  const done = journey.steps.filter((s) => s.done).length;
  const total = journey.steps.length;
  const stampName = journey.stamp.amount === "1" ? `the ${journey.stamp.name}` : `${journey.stamp.amount} × ${journey.stamp.name}`;
  const state = journey.completed
    ? badge("completed", "unlocked")
    : journey.status === "upcoming"
      ? badge(journey.startsAt ? `opens ${new Date(journey.startsAt).toLocaleDateString()}` : "coming soon", "locked")
      : journey.status === "ended"
        ? badge("ended", "locked")
        : badge(`${done} of ${total} ${total === 1 ? "step" : "steps"} done`, "neutral");

  const status = actionStatus();
  const note = notes.get(journey.id);
  if (note) report(status, note.state, note.text);
  // The card may have been redrawn since the action started: report in the one on the page.
  const say = (state: "pending" | "done" | "failed", text: string) => {
    notes.set(journey.id, { state, text });
    const live = document.querySelector<HTMLElement>(`li.journey[data-journey-id="${CSS.escape(journey.id)}"] > .action-status`);
    report(live ?? status, state, text);
  };

  const meter = el("div", { className: "meter small", attrs: { role: "progressbar", "aria-label": `Steps of ${journey.title} done`, "aria-valuemin": "0", "aria-valuemax": String(total), "aria-valuenow": String(done) } }, el("span"));
  (meter.firstElementChild as HTMLElement).style.width = `${total === 0 ? 0 : Math.round((done / total) * 100)}%`;

  const li = el(
    "li",
    { className: `journey${journey.completed ? " completed" : ""}`, attrs: { "data-journey-id": journey.id } },
    el(
      "div",
      { className: "journey-head" },
      picture(journey.stamp.image, "stamp-picture"),
      el("div", {}, el("h3", { text: journey.title }), el("p", { text: journey.description }), el("p", { className: "muted", text: `Earns ${stampName} · ${points(journey.stamp.points)}` })),
      state,
    ),
    meter,
    el("ol", { className: "steps" }, ...journey.steps.map((step, i) => stepItem(journey, step, journey.steps[i - 1], complete, say))),
  );
  const award = awardLine(journey);
  if (award) li.append(award);
  li.append(status);
  li.append(
    technicalDetails([
      ["Stamp collection", journey.stamp.collection],
      ["Stamp token id", journey.stamp.tokenId],
      ["Award transaction", journey.award?.txHash],
    ]),
  );
  return li;
}

function awardLine(journey: MemberJourney): HTMLElement | null {
  if (!journey.completed) return null;
  const status = journey.award?.status ?? "pending";
  const text =
    status === "awarded"
      ? `Your ${journey.stamp.name} is in your collection.`
      : status === "failed"
        ? `Sending your ${journey.stamp.name} failed. We have been told and will sort it out.`
        : `Your ${journey.stamp.name} is on its way…`;
  return el("p", { className: `award ${status}`, attrs: { "data-award": status }, text });
}

function stepItem(journey: MemberJourney, step: MemberJourneyStep, previous: MemberJourneyStep | undefined, complete: CompleteStep, say: (state: "pending" | "done" | "failed", text: string) => void): HTMLLIElement {
  const label = step.done ? "✓ done" : step.available ? "to do" : "locked";
  const li = el(
    "li",
    { className: `step ${step.done ? "done" : step.available ? "open" : "locked"}`, attrs: { "data-step-id": step.id } },
    el("div", { className: "step-head" }, el("span", { className: "step-state", text: label }), el("strong", { text: step.title })),
  );
  if (step.done) return li;
  if (!step.available) {
    const why = journey.status !== "open" ? "This journey is not open right now." : journey.ordered && previous && !previous.done ? `Finish “${previous.title}” first.` : "Not available yet.";
    li.append(el("p", { className: "muted", text: why }));
    return li;
  }

  /** Runs a completion from `submit`, reporting in the journey card. */
  const run = async (submit: HTMLButtonElement, input: StepInput, pending: string) => {
    submit.disabled = true;
    say("pending", pending);
    try {
      say("done", await complete(journey, step, input));
    } catch (error) {
      say("failed", explain(error));
    } finally {
      submit.disabled = false;
    }
  };

  switch (step.kind) {
    case "quiz": {
      const submit = button("Check my answers", "primary", "submit");
      const form = el("form", { className: "quiz" });
      (step.questions ?? []).forEach((q, qi) => {
        const name = `${journey.id}-${step.id}-${qi}`;
        form.append(
          el(
            "fieldset",
            {},
            el("legend", { text: q.prompt }),
            ...q.choices.map((choice, ci) => el("label", { className: "choice" }, el("input", { attrs: { type: "radio", name, value: String(ci) } }), ` ${choice}`)),
          ),
        );
      });
      form.append(submit);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const answers = (step.questions ?? []).map((_, qi) => form.querySelector<HTMLInputElement>(`input[name="${CSS.escape(`${journey.id}-${step.id}-${qi}`)}"]:checked`)?.value);
        if (answers.some((a) => a === undefined)) {
          say("failed", "Choose an answer for every question first.");
          return;
        }
        void run(submit, { answers: answers.map(Number) }, "Checking your answers…");
      });
      li.append(form);
      break;
    }
    case "code": {
      const input = el("input", { attrs: { type: "text", name: "code", autocomplete: "off", spellcheck: "false", required: "", "aria-label": `Code for “${step.title}”`, placeholder: "Code from the counter" } });
      const submit = button("Submit code", "primary", "submit");
      const form = el("form", { className: "code-form" }, input, submit);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const code = input.value.trim();
        if (code === "") {
          say("failed", "Type the code first.");
          return;
        }
        void run(submit, { code }, "Checking the code…");
      });
      li.append(form);
      break;
    }
    case "hold": {
      const check = button("Check now");
      check.addEventListener("click", () => void run(check, {}, "Checking what you hold…"));
      li.append(el("p", { className: "muted", text: `Needs ${step.requires ?? "a membership"}.` }), check);
      break;
    }
    case "event":
      li.append(el("p", { className: "muted", text: "Happens in a store: this step completes on its own when you do it." }));
      break;
    case "referral": {
      if (!step.invitation) break;
      const link = step.invitation.url ?? `${location.origin}/?invite=${encodeURIComponent(step.invitation.code)}`;
      const field = el("input", { className: "invite-link", attrs: { type: "text", readonly: "", value: link, "aria-label": "Your invitation link" } });
      const copy = button("Copy link", "");
      const copied = actionStatus();
      copy.addEventListener("click", () => void act(copy, copied, "Copying…", async () => (await navigator.clipboard.writeText(link), "Copied: send it to a friend.")));
      li.append(el("p", { className: "muted", text: "Send a friend this link. When they join with it, this step is done." }), el("div", { className: "invite" }, field, copy), copied);
      break;
    }
  }
  return li;
}
