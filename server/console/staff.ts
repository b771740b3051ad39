/**
 * Staff (owners only): who may use the console besides the collection's admins, with their role:
 * managers (everything but staff), till staff (verify codes only). Add, change a role, remove. And the
 * till's link for this brand, to open or copy for the counter's phone (staff never type a brand id).
 */
import type { StaffMemberView } from "../../sdk/src/protocol/staff.ts";
import { getAddress, isAddress } from "viem";
import { api } from "./api.ts";
import { act, actionStatus, button, el, explain, field, input, panel, report, select, shortAddress, table, when } from "./dom.ts";
import type { ConsoleContext, Screen } from "./screen.ts";

type Member = StaffMemberView;

const ROLES: Array<[string, string]> = [
  ["manager", "Manager: everything but staff"],
  ["till", "Till: verifies codes only"],
];

/** The till, opened for `brandId` (the till reads `?brand=` and names the brand before sign-in). */
export function tillLink(brandId: string): string {
  return `${location.origin}/till?brand=${encodeURIComponent(brandId)}`;
}

function tillPanel(ctx: ConsoleContext): HTMLElement {
  const open = el("a", { className: "button primary", text: "Open the till", attrs: { id: "open-till", target: "_blank", rel: "noopener" } });
  const copy = button("Copy the till link");
  copy.id = "copy-till-link";
  const status = actionStatus();
  status.id = "till-link-status";
  const link = () => tillLink(ctx.session().brandId);
  open.href = link();
  copy.addEventListener("click", () =>
    void act(copy, status, "Copying…", async () => {
      await navigator.clipboard.writeText(link());
      return `Copied: open it on the counter's phone; till staff sign in there with their wallet.`;
    }),
  );
  return panel(
    "The till",
    el("p", { className: "muted", text: "Till staff verify members' codes on a phone at the counter. The link opens the till for this brand: no brand id to type." }),
    el("div", { className: "actions" }, open, copy),
    status,
  );
}

export function staffScreen(ctx: ConsoleContext): Screen {
  const list = el("div", { attrs: { id: "staff-list" } });
  const listStatus = actionStatus();
  const address = input({ id: "staff-address", placeholder: "0x…", "aria-label": "Wallet address", spellcheck: "false" });
  const role = select(ROLES, "till", { id: "staff-role", "aria-label": "Role" });
  const add = button("Add", "primary", "submit");
  const addStatus = actionStatus();
  addStatus.id = "staff-status";
  const form = el("form", { attrs: { id: "staff-form", "aria-label": "Add staff" } }, el("div", { className: "form-grid" }, field("Wallet address", address), field("Role", role)), el("div", { className: "actions" }, add), addStatus);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void act(add, addStatus, "Adding…", async () => {
      const text = address.value.trim();
      if (!isAddress(text, { strict: false })) throw new Error("That is not a wallet address (0x and 40 hex digits).");
      const who = getAddress(text);
      await api("PUT", `/v1/admin/staff/${who}`, { role: role.value });
      address.value = "";
      await show();
      return `${shortAddress(who)} is now ${role.value === "till" ? "till staff" : "a manager"}: they sign in with that wallet.`;
    });
  });

  const till = tillPanel(ctx);

  function row(member: Member): Array<Node | string> {
    const change = select(ROLES, member.role, { "aria-label": `Role of ${member.address}` });
    const remove = button("Remove", "small danger");
    remove.setAttribute("aria-label", `Remove ${member.address}`);
    const status = actionStatus();
    change.addEventListener("change", () =>
      void act(null, status, "Saving…", async () => {
        await api("PUT", `/v1/admin/staff/${member.address}`, { role: change.value });
        return "Saved: it applies within half a minute.";
      }),
    );
    remove.addEventListener("click", () => {
      if (!confirm(`Remove ${member.address}? They lose access within half a minute.`)) return;
      void act(remove, status, "Removing…", async () => {
        await api("DELETE", `/v1/admin/staff/${member.address}`);
        await show();
        return "Removed.";
      });
    });
    return [el("span", { className: "mono", text: member.address }), change, el("span", { className: "mono", text: shortAddress(member.addedBy), attrs: { title: member.addedBy } }), when(member.addedAt), el("span", {}, remove, status)];
  }

  async function show() {
    report(listStatus, "pending", "Loading…");
    try {
      const { items } = await api<{ items: Member[] }>("GET", "/v1/admin/staff");
      list.replaceChildren(items.length === 0 ? el("p", { className: "muted", text: "No staff yet: owners (the collection's admins) are the only ones who can sign in." }) : table(["Address", "Role", "Added by", "Added", ""], items.map(row)));
      report(listStatus, "done", "");
    } catch (error) {
      report(listStatus, "failed", explain(error));
    }
  }

  return {
    element: el("div", {}, till, panel("Staff", el("p", { className: "muted", text: "Owners are the wallets holding the admin role on one of the brand's collections; they need no entry here." }), list, listStatus), panel("Add staff", form)),
    async show() {
      // The link follows whoever is signed in now (a screen outlives a change of brand).
      till.querySelector<HTMLAnchorElement>("#open-till")!.href = tillLink(ctx.session().brandId);
      await show();
    },
  };
}
