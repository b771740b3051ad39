import { MemberHome } from "../components/MemberHome";

/** Home: sign-in for visitors; for members their level and points, perks to redeem, journeys. */
export default function HomePage() {
  return <MemberHome />;
}
