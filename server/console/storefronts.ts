/**
 * Storefronts (owners and managers): the web addresses the brand's own storefronts and apps run on.
 * Members sign in there, and the storefront may call the API; anywhere else browsers get nothing.
 */
import type { BrandOriginView } from "../../sdk/src/protocol/origins.ts";
import { api } from "./api.ts";
import { act, actionStatus, button, el, explain, field, input, panel, report, table, when } from "./dom.ts";
import type { Screen } from "./screen.ts";

export function storefrontsScreen(): Screen {
  const list = el("div", { attrs: { id: "storefront-list" } });
  const listStatus = actionStatus();
  const address = input({ id: "storefront-origin", placeholder: "https://shop.example", "aria-label": "Storefront address", spellcheck: "false", inputmode: "url" });
  const add = button("Add", "primary", "submit");
  const addStatus = actionStatus();
  addStatus.id = "storefront-status";
  const form = el(
    "form",
    { attrs: { id: "storefront-form", "aria-label": "Add a storefront" } },
    field("Address", address, "As it shows in the browser's address bar: https://, the host, and a port if it has one. Plain http only for localhost while you build."),
    el("div", { className: "actions" }, add),
    addStatus,
  );

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void act(add, addStatus, "Adding…", async () => {
      const added = await api<BrandOriginView>("POST", "/v1/admin/origins", { origin: address.value.trim() });
      address.value = "";
      await show();
      return `Members can now sign in at ${added.origin}.`;
    });
  });

  function row(item: BrandOriginView): Array<Node | string> {
    const remove = button("Remove", "small danger");
    remove.setAttribute("aria-label", `Remove ${item.origin}`);
    const status = actionStatus();
    remove.addEventListener("click", () => {
      if (!confirm(`Stop ${item.origin} from signing members in? Members already signed in there stay so until their session ends.`)) return;
      void act(remove, status, "Removing…", async () => {
        await api("DELETE", `/v1/admin/origins/${encodeURIComponent(item.origin)}`);
        await show();
        return "Removed.";
      });
    });
    return [el("span", { className: "mono", text: item.origin }), when(item.createdAt), el("span", {}, remove, status)];
  }

  async function show() {
    report(listStatus, "pending", "Loading…");
    try {
      const { items } = await api<{ items: BrandOriginView[] }>("GET", "/v1/admin/origins");
      list.replaceChildren(
        items.length === 0
          ? el("p", { className: "muted", text: "None yet: members sign in only on this deployment's own pages. Add your shop's address to let it sign them in." })
          : table(["Address", "Added", ""], items.map(row)),
      );
      report(listStatus, "done", "");
    } catch (error) {
      report(listStatus, "failed", explain(error));
    }
  }

  return {
    element: el(
      "div",
      {},
      panel("Your storefronts", el("p", { className: "muted", text: "Your own shop or app can sign members in and show their perks from these addresses only. Each address belongs to one brand." }), list, listStatus),
      panel("Add a storefront", form),
    ),
    show,
  };
}
