/** Small DOM helpers the storefront's parts share, and how an action says pending, done or failed. */
import { ApiError, StampbookError, StepRefusedError, UserRejectedError } from "@stampbook/sdk";

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

type Props = { className?: string; text?: string; attrs?: Record<string, string> };

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

export function badge(text: string, kind: "locked" | "unlocked" | "pending" | "neutral"): HTMLSpanElement {
  return el("span", { className: `badge ${kind}`, text });
}

/**
 * A collapsed "Technical details" element for what members need not read (token ids, collections,
 * transaction hashes, signed text): the only place the page shows them.
 */
export function technicalDetails(facts: Array<[string, string | null | undefined]>): HTMLDetailsElement {
  const list = el("dl");
  for (const [term, value] of facts) if (value) list.append(el("dt", { text: term }), el("dd", { text: value }));
  return el("details", { className: "tech" }, el("summary", { text: "Technical details" }), list);
}

/** A picture of a token type, or a plain placeholder when the brand gave none. */
export function picture(image: string | null, className: string): HTMLElement {
  if (!image) return el("span", { className: `${className} placeholder`, attrs: { "aria-hidden": "true" }, text: "☕" });
  return el("img", { className, attrs: { src: image, alt: "", width: "64", height: "64" } });
}

export function points(value: string | number | bigint): string {
  const n = Number(value);
  return `${n.toLocaleString("en")} ${n === 1 ? "point" : "points"}`;
}

/** An error in words: the API's message (and its detail), or the wallet's. */
export function explain(error: unknown): string {
  if (error instanceof UserRejectedError) return "You declined the request in your wallet.";
  if (error instanceof StepRefusedError && error.reasons.length > 0) return capitalise(error.reasons.map((r) => r.message).join("; "));
  if (error instanceof ApiError) {
    const { shortMessage, details } = error;
    if (!details || details === shortMessage) return shortMessage;
    // "1 of 2 answers are wrong. Try again." / "You do not hold what this perk requires: needs a Gold membership"
    return /^[A-Z]/.test(details) ? `${shortMessage}. ${details}` : `${shortMessage}: ${details}`;
  }
  if (error instanceof StampbookError) return error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Where an action reports: pending, then done or failed. */
export function actionStatus(): HTMLParagraphElement {
  return el("p", { className: "action-status", attrs: { role: "status", "aria-live": "polite" } });
}

export function report(status: HTMLElement, state: "pending" | "done" | "failed", text: string) {
  status.dataset.state = state;
  status.textContent = text;
}

/**
 * Runs `action` with `control` disabled: `status` says `pending` meanwhile, then what the action
 * returns (done) or the error's message (failed). Resolves to whether it succeeded.
 */
export async function act(control: HTMLButtonElement, status: HTMLElement, pending: string, action: () => Promise<string>): Promise<boolean> {
  control.disabled = true;
  report(status, "pending", pending);
  try {
    report(status, "done", await action());
    return true;
  } catch (error) {
    report(status, "failed", explain(error));
    return false;
  } finally {
    control.disabled = false;
  }
}

export function button(text: string, className = "primary", type: "button" | "submit" = "button"): HTMLButtonElement {
  return el("button", { text, className, attrs: { type } });
}

/**
 * Replaces the children of `list` that changed (by `key`), keeping the others in place, so a
 * refresh does not wipe what a member is typing or has chosen in the cards that stayed the same.
 */
export function patchList<T>(list: HTMLElement, items: readonly T[], key: (item: T) => string, render: (item: T) => HTMLElement) {
  const seen = new Map<string, HTMLElement>();
  for (const child of Array.from(list.children) as HTMLElement[]) if (child.dataset.key) seen.set(child.dataset.key, child);
  const next = items.map((item) => {
    const k = key(item);
    const json = JSON.stringify(item);
    const old = seen.get(k);
    if (old && old.dataset.json === json) return old;
    const node = render(item);
    node.dataset.key = k;
    node.dataset.json = json;
    return node;
  });
  const sameOrder = next.length === list.children.length && next.every((node, i) => list.children[i]?.getAttribute("data-key") === node.dataset.key);
  if (sameOrder) {
    next.forEach((node, i) => {
      const old = list.children[i]!;
      if (old !== node) old.replaceWith(node);
    });
  } else {
    list.replaceChildren(...next);
  }
}
