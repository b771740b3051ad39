/**
 * What Gold members get: this month's member prices and their standing, in words. A server
 * component, so its text reaches only the browsers the gate let in (never a client bundle).
 */
import type { GateMember } from "@stampbook/sdk/server";

const MEMBER_PRICES = [
  { item: "Any filter coffee", price: "€2.00", usual: "€3.20" },
  { item: "Single-origin beans, 250 g", price: "€9.50", usual: "€12.00" },
  { item: "Tasting flight of three", price: "€6.00", usual: "€8.50" },
];

const day = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

export function MembersOnly({ member }: { member: GateMember }) {
  const gold = member.memberships.find((m) => m.name === "Gold membership");
  return (
    <section className="panel" id="members-only" aria-labelledby="members-title">
      <h1 id="members-title">The Gold room</h1>
      <p>
        Welcome in. {member.level ? `You are at the ${member.level.name} level with ${member.points} points.` : `You have ${member.points} points.`}
        {gold?.expiresAt ? ` Your Gold membership runs until ${day.format(gold.expiresAt)}.` : ""}
      </p>
      <h2>This month's member prices</h2>
      <ul className="cards">
        {MEMBER_PRICES.map(({ item, price, usual }) => (
          <li key={item} className="card price">
            <h3>{item}</h3>
            <p>
              <strong>{price}</strong> <span className="muted">instead of {usual}</span>
            </p>
          </li>
        ))}
      </ul>
      <p className="muted">Say you are a Gold member at the counter: the price is taken off there.</p>
    </section>
  );
}
