// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {StampbookCollection} from "../StampbookCollection.sol";
import {TestBase} from "./utils/TestBase.sol";
import {StampbookHandler, describeFirstUnexpected} from "./handlers/StampbookHandler.sol";

/// @title Invariants of StampbookCollection under random sequences of handler actions
/// @notice The runner calls only the handler's actions (mint, airdrop, claim, approve, transfer, batch transfer,
///         burn, redeem, paid and free renewals, expiry extensions, pause toggles, issuing-minter changes, the
///         signer's role revoked and granted, time warps) and checks every invariant below after each call.
///         Global settings: 64 runs of depth 32, reverts do not fail a run.
contract StampbookInvariantTest is TestBase {
    StampbookHandler internal handler;
    StampbookCollection internal collection;
    address[] internal actors;

    function setUp() public {
        handler = new StampbookHandler();
        collection = handler.collection();
        actors = handler.actors();
        vm.deal(address(handler), 1_000 ether);

        _targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](16);
        selectors[0] = StampbookHandler.warp.selector;
        selectors[1] = StampbookHandler.togglePause.selector;
        selectors[2] = StampbookHandler.mint.selector;
        selectors[3] = StampbookHandler.airdrop.selector;
        selectors[4] = StampbookHandler.claim.selector;
        selectors[5] = StampbookHandler.setApproval.selector;
        selectors[6] = StampbookHandler.transfer.selector;
        selectors[7] = StampbookHandler.transferBatch.selector;
        selectors[8] = StampbookHandler.burn.selector;
        selectors[9] = StampbookHandler.redeem.selector;
        selectors[10] = StampbookHandler.renew.selector;
        selectors[11] = StampbookHandler.renewFor.selector;
        selectors[12] = StampbookHandler.extendMembership.selector;
        // A second claim entry doubles its weight: voucher replays are the point of property 3.
        selectors[13] = StampbookHandler.claim.selector;
        selectors[14] = StampbookHandler.setIssuingMinter.selector;
        selectors[15] = StampbookHandler.toggleSignerRole.selector;
        _targetSelectors(address(handler), selectors);
    }

    modifier atHandlerTime() {
        vm.warp(handler.currentTime());
        _;
    }

    /// @notice Property 1: minted never passes a cap, circulating supply is the sum of the actors' balances,
    ///         and the counters match the ghost record of successful mints and burns.
    function invariant_supplyNeverExceedsMax() public atHandlerTime {
        for (uint256 id = 1; id <= handler.TYPE_COUNT(); ++id) {
            uint256 minted = collection.totalMinted(id);
            uint256 supply = collection.totalSupply(id);
            uint256 max = collection.maxSupply(id);
            vm.assertEq(max, handler.maxSupplyOf(id), "maxSupply changed");
            if (max != 0) vm.assertLe(minted, max, string.concat("totalMinted > maxSupply for id ", vm.toString(id)));
            vm.assertLe(supply, minted, string.concat("totalSupply > totalMinted for id ", vm.toString(id)));

            uint256 sum;
            for (uint256 i; i < actors.length; ++i) sum += collection.balanceOf(actors[i], id);
            vm.assertEq(supply, sum, string.concat("totalSupply != sum of balances for id ", vm.toString(id)));
            vm.assertEq(minted, handler.ghostMinted(id), string.concat("totalMinted != ghost mints for id ", vm.toString(id)));
            vm.assertEq(supply, minted - handler.ghostBurned(id), string.concat("totalSupply != minted - burned for id ", vm.toString(id)));
        }
    }

    /// @notice Property 2: soulbound units only ever appear by minting and disappear by burning; no transfer
    ///         of them succeeds, and each refused transfer says SoulboundTransferRefused.
    function invariant_soulboundNeverMoves() public atHandlerTime {
        vm.assertEq(handler.ghostSoulboundMoves(), 0, "a soulbound transfer succeeded");
        vm.assertEq(handler.ghostSoulboundWrongReverts(), 0, "a soulbound transfer reverted without SoulboundTransferRefused");
        uint256[2] memory soulbound = [handler.SOULBOUND(), handler.LIFETIME()];
        for (uint256 k; k < soulbound.length; ++k) {
            uint256 id = soulbound[k];
            vm.assertTrue(collection.locked(id), "soulbound type not locked");
            for (uint256 i; i < actors.length; ++i) {
                vm.assertEq(
                    collection.balanceOf(actors[i], id),
                    handler.ghostBalance(id, actors[i]),
                    string.concat("soulbound balance moved: id ", vm.toString(id), " holder ", vm.toString(actors[i]))
                );
            }
        }
    }

    /// @notice Property 3: every successful claim used a fresh uid, every used uid is marked, a replayed uid
    ///         never mints, and the uids never used are not marked.
    function invariant_voucherNeverMintsTwice() public atHandlerTime {
        bytes32[] memory used = handler.usedUids();
        vm.assertEq(handler.ghostSuccessfulClaims(), used.length, "successful claims != distinct uids");
        vm.assertEq(handler.ghostReplaySuccesses(), 0, "a replayed voucher uid minted");
        for (uint256 i; i < used.length; ++i) {
            vm.assertTrue(collection.isVoucherUsed(used[i]), "a claimed uid is not marked used");
        }
        for (uint256 k; k < handler.UID_POOL(); ++k) {
            bytes32 uid = handler.uidAt(k);
            vm.assertEq(collection.isVoucherUsed(uid), handler.ghostUidUsed(uid), "isVoucherUsed disagrees with the ghost record");
        }
    }

    /// @notice Property 4: a membership is active exactly when it is held and now < expiresAt; expiries match the
    ///         model (mint sets now + duration, renewals add to max(now, expiry), transfers move it whole).
    function invariant_expiredMembershipsAreNeverActive() public atHandlerTime {
        uint256[2] memory memberships = [handler.MEMBERSHIP(), handler.LIFETIME()];
        for (uint256 k; k < memberships.length; ++k) {
            uint256 id = memberships[k];
            for (uint256 i; i < actors.length; ++i) {
                address holder = actors[i];
                uint256 balance = collection.balanceOf(holder, id);
                uint64 expiry = collection.expiresAt(holder, id);
                bool active = collection.isMembershipActive(holder, id);
                string memory who = string.concat("id ", vm.toString(id), " holder ", vm.toString(holder));
                vm.assertLe(balance, 1, string.concat("more than one membership: ", who));
                vm.assertEq(active, balance > 0 && block.timestamp < expiry, string.concat("isMembershipActive wrong: ", who));
                if (block.timestamp >= expiry) vm.assertFalse(active, string.concat("expired membership active: ", who));
                if (balance == 0) vm.assertEq(expiry, 0, string.concat("expiry without membership: ", who));
                vm.assertEq(expiry, handler.ghostExpiry(id, holder), string.concat("expiry differs from model: ", who));
            }
        }
    }

    /// @notice Property 5: the issuing minter is the model's, and holds MINTER_ROLE whenever it is set, so its
    ///         shortcut never lets anyone mint who could not otherwise.
    function invariant_issuingMinterHoldsMinterRole() public atHandlerTime {
        address issuer = collection.issuingMinter();
        vm.assertEq(issuer, handler.ghostIssuingMinter(), "issuing minter differs from the model");
        if (issuer != address(0)) vm.assertTrue(collection.hasRole(collection.MINTER_ROLE(), issuer), "issuing minter lacks MINTER_ROLE");
    }

    /// @notice Property 6: standingOf returns exactly what holdingsOf does, and points = 7 a unit held, counting
    ///         memberships only before their expiry; unknown ids (0 and past the last type) count nothing.
    function invariant_standingMatchesHoldingsAndPoints() public atHandlerTime {
        uint256[] memory ids = new uint256[](handler.TYPE_COUNT() + 2);
        for (uint256 i; i < ids.length; ++i) ids[i] = i; // 0 and TYPE_COUNT + 1 are unknown
        for (uint256 i; i < actors.length; ++i) {
            (uint256[] memory balances, uint64[] memory expiries, uint256 points) = collection.standingOf(actors[i], ids);
            (uint256[] memory heldBalances, uint64[] memory heldExpiries) = collection.holdingsOf(actors[i], ids);
            string memory who = string.concat(" for ", vm.toString(actors[i]));
            vm.assertEq(keccak256(abi.encode(balances)), keccak256(abi.encode(heldBalances)), string.concat("balances differ", who));
            vm.assertEq(keccak256(abi.encode(expiries)), keccak256(abi.encode(heldExpiries)), string.concat("expiries differ", who));
            vm.assertEq(points, handler.ghostPoints(actors[i]), string.concat("points differ from the model", who));
        }
    }

    /// @notice Every handler call succeeded or reverted exactly as the model predicted (same revert data).
    function invariant_outcomesMatchModel() public atHandlerTime {
        vm.assertEq(handler.ghostUnexpectedOutcomes(), 0, describeFirstUnexpected(handler));
    }

    // ------------------------------------------------------------ handler sanity

    /// @notice A fixed script through every handler action: each must be able to succeed, and the model must
    ///         predict every outcome. Guards against an invariant suite that passes because nothing happens.
    function test_handlerDrivesEveryAction() public {
        uint256 capped = handler.CAPPED();
        uint256 consumable = handler.CONSUMABLE();
        uint256 soulbound = handler.SOULBOUND();
        uint256 membership = handler.MEMBERSHIP();
        uint256 lifetime = handler.LIFETIME();

        // Type seeds are (id - 1); actor seeds index the five actors.
        handler.mint(0, capped - 1, 10);
        handler.mint(1, soulbound - 1, 5);
        handler.mint(0, membership - 1, 1);
        handler.mint(2, lifetime - 1, 1);
        handler.airdrop((uint256(3) << 8) | (uint256(4) << 16) | 1, consumable - 1, 7); // actors 3 and 4
        handler.claim(1, 2, membership - 1, 1, 0, 5, true);
        handler.claim(1, 2, membership - 1, 1, 0, 5, true); // same uid: refused
        handler.claim(3, 0, capped - 1, 4, 1, 5, false);
        handler.setApproval(0, 4, true);
        handler.transfer(0, 3, capped - 1, 4, 1);
        handler.transfer(0, 3, capped - 1, 2, uint256(4) << 8); // operator 4, approved by actor 0
        handler.transfer(1, 3, soulbound - 1, 2, 1); // refused
        handler.transferBatch(0, 4, membership - 1, 1, 1); // membership + soulbound: refused as a whole
        handler.transfer(0, 4, membership - 1, 1, 1);
        handler.burn(3, capped - 1, 1, 1);
        handler.redeem(3, 1, 3);
        handler.renew(4, 2, 1, 2);
        handler.renewFor(1, 1, 1);
        handler.warp(40 days);
        handler.extendMembership(4, 1, 3 days + 1);
        handler.togglePause(0);
        handler.mint(0, capped - 1, 1); // paused: refused
        handler.togglePause(0);

        bytes32[11] memory actions =
            [bytes32("mint"), "airdrop", "claim", "approve", "transfer", "burn", "redeem", "renew", "renewFor", "extend", "pause"];
        for (uint256 i; i < actions.length; ++i) {
            vm.assertGe(handler.successes(actions[i]), 1, string.concat("no successful call of action #", vm.toString(i)));
        }
        vm.assertEq(handler.ghostSuccessfulClaims(), 2, "claims");
        vm.assertEq(handler.ghostReplayAttempts(), 1, "replays");
        vm.assertEq(handler.ghostSoulboundTransferAttempts(), 2, "soulbound attempts");
        vm.assertEq(handler.ghostUnexpectedOutcomes(), 0, describeFirstUnexpected(handler));
        vm.assertEq(collection.balanceOf(handler.actors()[1], soulbound), 5, "soulbound units stayed");
    }

    /// @notice The same for the issuing-minter actions: the signer as issuing minter mints and signs; without
    ///         its role it can do neither, stops being the issuing minter and cannot be made it again.
    function test_handlerDrivesIssuingMinterActions() public {
        uint256 capped = handler.CAPPED();
        uint256 bySigner = uint256(4) << 128; // in a mint's amount seed: sent by the signer
        handler.setIssuingMinter(1);
        vm.assertEq(collection.issuingMinter(), handler.signer(), "signer not made issuing minter");
        handler.mint(2, capped - 1, 1 | bySigner);
        handler.claim(2, 0, capped - 1, 1, 6, 5, false);
        handler.toggleSignerRole(0); // revoked
        vm.assertEq(collection.issuingMinter(), address(0), "revoking the signer's role did not clear it");
        handler.mint(2, capped - 1, 1 | bySigner); // refused
        handler.claim(2, 0, capped - 1, 1, 7, 5, false); // refused
        handler.setIssuingMinter(1); // refused: no role
        handler.setIssuingMinter(2); // refused: never a minter
        handler.toggleSignerRole(0); // granted again
        handler.setIssuingMinter(0);
        vm.assertEq(collection.issuingMinter(), address(handler), "handler not made issuing minter");

        vm.assertEq(handler.successes("mint"), 1, "mints");
        vm.assertEq(handler.ghostSuccessfulClaims(), 1, "claims");
        vm.assertEq(handler.successes("issuer"), 2, "issuing minter changes");
        vm.assertEq(handler.calls("issuer"), 4, "issuing minter attempts");
        vm.assertEq(handler.successes("signerRole"), 2, "role changes");
        vm.assertEq(handler.ghostUnexpectedOutcomes(), 0, describeFirstUnexpected(handler));
    }
}
