/** Small DOM helpers the console's screens share, and how an action says pending, done or failed. */
import { ApiProblem } from "./api.ts";
import { chainErrorWords } from "./chain-errors.ts";
import { RuleTreeError } from "./rules.ts";

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

export function button(text: string, className = "", type: "button" | "submit" = "button"): HTMLButtonElement {
  return el("button", { text, className, attrs: { type } });
}

/** A labelled form control: `<label>Text <control></label>`. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  return el("label", { className: "field" }, el("span", { text: label }), control, ...(hint ? [el("small", { className: "muted", text: hint })] : []));
}

export function input(attrs: Record<string, string> = {}): HTMLInputElement {
  return el("input", { attrs: { type: "text", ...attrs } });
}

export function select(options: Array<[value: string, label: string]>, value?: string, attrs: Record<string, string> = {}): HTMLSelectElement {
  const node = el("select", { attrs }, ...options.map(([v, label]) => el("option", { text: label, attrs: { value: v } })));
  if (value !== undefined) node.value = value;
  return node;
}

export function checkbox(label: string, checked = false): { label: HTMLLabelElement; box: HTMLInputElement } {
  const box = el("input", { attrs: { type: "checkbox" } });
  box.checked = checked;
  return { box, label: el("label", { className: "check" }, box, ` ${label}`) };
}

/** An error in words: the API's problem title and detail, the wallet's or the chain's reason. */
export function explain(error: unknown): string {
  if (error instanceof ApiProblem) {
    const { title, detail } = error;
    if (!detail || detail === title) return title;
    return /^[A-Z]/.test(detail) ? `${title}. ${detail}` : `${title}: ${detail}`;
  }
  if (error instanceof RuleTreeError) return `The rule is not finished: ${error.message}.`;
  return chainErrorWords(error);
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
 * returns (done) or the error in words (failed). Resolves to whether it succeeded.
 */
export async function act(control: HTMLButtonElement | null, status: HTMLElement, pending: string, action: (progress: (text: string) => void) => Promise<string>): Promise<boolean> {
  if (control) control.disabled = true;
  report(status, "pending", pending);
  try {
    report(status, "done", await action((text) => report(status, "pending", text)));
    return true;
  } catch (error) {
    report(status, "failed", explain(error));
    return false;
  } finally {
    if (control) control.disabled = false;
  }
}

/** A panel with a heading, for one part of a screen. */
export function panel(title: string, ...children: Array<Node | string>): HTMLElement {
  return el("section", { className: "panel", attrs: { "aria-label": title } }, el("h2", { text: title }), ...children);
}

/** A table with a header row and `rows` (cells are text or nodes). */
export function table(headers: string[], rows: Array<Array<Node | string>>, className = ""): HTMLTableElement {
  return el(
    "table",
    { className },
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { text: h, attrs: { scope: "col" } })))),
    el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map((c) => el("td", {}, c))))),
  );
}

/** A date and time in the reader's words, or "—". */
export function when(timestamp: string | null | undefined): string {
  return timestamp ? new Date(timestamp).toLocaleString() : "—";
}

export function shortAddress(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/** Offers `text` as a file download named `name`. */
export function download(name: string, text: string, type = "text/plain") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el("a", { attrs: { href: url, download: name } });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A function that runs `fn` once calls have stopped for `ms`. */
export function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}
