import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys one brand collection. Every constructor argument is a module parameter; the deploying
 * account is the admin and treasury unless told otherwise.
 */
export default buildModule("StampbookCollection", (m) => {
  const deployer = m.getAccount(0);
  const collection = m.contract("StampbookCollection", [
    m.getParameter("name", "Stampbook Demo"),
    m.getParameter("symbol", "STAMP"),
    m.getParameter("admin", deployer),
    m.getParameter("treasury", deployer),
    m.getParameter("contractURI", ""),
    m.getParameter("royaltyBps", 500n),
  ]);
  return { collection };
});
