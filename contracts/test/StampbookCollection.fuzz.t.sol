// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {StampbookCollection} from "../StampbookCollection.sol";
import {IStampbookCollection} from "../interfaces/IStampbookCollection.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @title Fuzz tests of StampbookCollection's supply caps, soulbound rule, single-use vouchers and expiries
contract StampbookCollectionFuzzTest is TestBase {
    uint256 internal constant MINTER_PK = 0xC0FFEE;
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    uint128 internal constant RENEWAL_PRICE = 0.02 ether;

    StampbookCollection internal collection;
    address internal treasury;
    address internal minter;
    uint256 internal capped;
    uint256 internal consumable;
    uint256 internal soulbound;
    uint256 internal membership;
    uint256 internal lifetime;

    function setUp() public {
        vm.warp(1_750_000_000);
        treasury = vm.addr(0x7EA5);
        minter = vm.addr(MINTER_PK);
        collection = new StampbookCollection("Stampbook", "STAMP", address(this), treasury, "ipfs://collection", 500);
        collection.grantRole(collection.MINTER_ROLE(), minter);
        capped = _create(IStampbookCollection.Kind.Collectible, 100, 0, false, false, 0);
        consumable = _create(IStampbookCollection.Kind.Collectible, 0, 0, false, true, 0);
        soulbound = _create(IStampbookCollection.Kind.Collectible, 40, 0, true, false, 0);
        membership = _create(IStampbookCollection.Kind.Membership, 0, 30 days, false, false, RENEWAL_PRICE);
        lifetime = _create(IStampbookCollection.Kind.Membership, 0, 0, true, false, 0);
    }

    // ================================================================ 1. supply caps

    /// @notice Mints and airdrops of random sizes against a random cap: each either fits and is counted, or
    ///         reverts MaxSupplyExceeded with the exact figures; totalMinted never passes the cap.
    function testFuzz_mintAndAirdropNeverExceedMaxSupply(uint256 capSeed, bool soulbound_, uint256[6] calldata amountSeeds) public {
        uint64 cap = uint64(_bound(capSeed, 1, 500));
        uint256 id = _create(IStampbookCollection.Kind.Collectible, cap, 0, soulbound_, false, 0);
        uint256 minted;
        for (uint256 i; i < amountSeeds.length; ++i) {
            uint256 amount = _bound(amountSeeds[i], 0, uint256(cap) / 2 + 1);
            uint256 count = i % 2 == 0 ? 1 : 1 + ((amountSeeds[i] >> 128) % 3);
            address[] memory recipients = new address[](count);
            for (uint256 j; j < count; ++j) recipients[j] = _holder(amountSeeds[i] ^ j);
            uint256 total = amount * count;
            bool fits = minted + total <= cap;
            if (!fits) {
                vm.expectRevert(abi.encodeWithSelector(IStampbookCollection.MaxSupplyExceeded.selector, id, minted, total, cap));
            }
            if (count == 1) collection.mint(recipients[0], id, amount);
            else collection.airdrop(id, recipients, amount);
            if (fits) minted += total;

            vm.assertLe(collection.totalMinted(id), cap, "totalMinted > maxSupply");
            vm.assertEq(collection.totalMinted(id), minted, "totalMinted");
            vm.assertEq(collection.totalSupply(id), minted, "totalSupply");
        }
        // Burning never frees room under the cap.
        address holder = _holder(amountSeeds[0]);
        uint256 held = collection.balanceOf(holder, id);
        vm.prank(holder);
        collection.burn(holder, id, held);
        vm.assertEq(collection.totalMinted(id), minted, "burn changed totalMinted");
        vm.assertEq(collection.totalSupply(id), minted - held, "burn did not lower totalSupply");
        if (minted < cap) collection.mint(holder, id, cap - minted);
        vm.expectRevert(abi.encodeWithSelector(IStampbookCollection.MaxSupplyExceeded.selector, id, uint256(cap), 1, cap));
        collection.mint(holder, id, 1);
    }

    // ================================================================ 2. soulbound

    /// @notice Any transfer of a soulbound unit (single, by an approved operator, or hidden in a batch behind a
    ///         transferable id) to any receiver and of any amount reverts SoulboundTransferRefused; the units stay
    ///         put, and burning is the only way they leave.
    function testFuzz_soulboundTransferAlwaysReverts(
        uint256 holderSeed,
        address to,
        uint256 mintSeed,
        uint256 transferAmount,
        uint8 mode
    ) public {
        vm.assume(to != address(0));
        address holder = _holder(holderSeed);
        bool isMembership = mode % 2 == 1;
        uint256 id = isMembership ? lifetime : soulbound;
        uint256 minted = isMembership ? 1 : _bound(mintSeed, 1, 40);
        collection.mint(holder, id, minted);
        transferAmount = _bound(transferAmount, 0, 100);

        uint256 route = (mode >> 1) % 3;
        address caller = holder;
        if (route == 1) {
            caller = _holder(holderSeed ^ 0xA5A5);
            vm.assume(caller != holder);
            vm.prank(holder);
            collection.setApprovalForAll(caller, true);
        }

        bytes memory refusal = abi.encodeWithSelector(IStampbookCollection.SoulboundTransferRefused.selector, id);
        if (route == 2) {
            collection.mint(holder, capped, 5);
            uint256[] memory ids = new uint256[](2);
            uint256[] memory amounts = new uint256[](2);
            (ids[0], ids[1]) = (capped, id);
            (amounts[0], amounts[1]) = (_bound(mintSeed >> 64, 0, 5), transferAmount);
            vm.expectRevert(refusal);
            vm.prank(holder);
            collection.safeBatchTransferFrom(holder, to, ids, amounts, "");
            vm.assertEq(collection.balanceOf(holder, capped), 5, "batch half-applied");
        } else {
            vm.expectRevert(refusal);
            vm.prank(caller);
            collection.safeTransferFrom(holder, to, id, transferAmount, "");
        }

        vm.assertEq(collection.balanceOf(holder, id), minted, "soulbound units left their holder");
        if (to != holder) vm.assertEq(collection.balanceOf(to, id), 0, "soulbound units reached the receiver");
        vm.assertEq(collection.totalSupply(id), minted, "supply changed");
        if (isMembership) vm.assertEq(collection.expiresAt(holder, id), type(uint64).max, "lifetime expiry changed");

        vm.prank(caller);
        collection.burn(holder, id, minted);
        vm.assertEq(collection.balanceOf(holder, id), 0, "burn");
        vm.assertEq(collection.totalSupply(id), 0, "supply after burn");
    }

    // ================================================================ 3. vouchers

    /// @notice A voucher mints once; the same voucher again, or any re-signed voucher with the same uid and other
    ///         fields changed, reverts VoucherAlreadyUsed and mints nothing.
    function testFuzz_voucherNeverMintsTwice(
        bytes32 uid,
        uint256 toSeed,
        uint256 typeSeed,
        uint256 amountSeed,
        uint256 priceSeed,
        uint256 windowSeed,
        uint256 otherSeed,
        uint256 submitterSeed
    ) public {
        vm.warp(block.timestamp + _bound(windowSeed >> 128, 0, 365 days));
        IStampbookCollection.ClaimVoucher memory voucher = _voucher(uid, toSeed, typeSeed, amountSeed, priceSeed, windowSeed);
        address submitter = _holder(submitterSeed);
        uint256 balanceBefore = collection.balanceOf(voucher.to, voucher.id);
        uint256 treasuryBefore = treasury.balance;

        _claimAs(submitter, voucher, MINTER_PK);
        vm.assertTrue(collection.isVoucherUsed(uid), "uid not marked used");
        vm.assertEq(collection.balanceOf(voucher.to, voucher.id), balanceBefore + voucher.amount, "first claim minted");
        vm.assertEq(treasury.balance, treasuryBefore + voucher.price, "treasury paid");
        uint256 mintedAfterFirst = collection.totalMinted(voucher.id);

        // The identical voucher, by anyone.
        vm.expectRevert(abi.encodeWithSelector(IStampbookCollection.VoucherAlreadyUsed.selector, uid));
        this.claimAs(_holder(otherSeed), voucher, MINTER_PK);

        // Later, re-signed with every other field changed.
        vm.warp(block.timestamp + _bound(otherSeed, 0, 30 days));
        IStampbookCollection.ClaimVoucher memory other =
            _voucher(uid, otherSeed, typeSeed >> 8, otherSeed >> 16, priceSeed >> 8, windowSeed >> 8);
        vm.expectRevert(abi.encodeWithSelector(IStampbookCollection.VoucherAlreadyUsed.selector, uid));
        this.claimAs(submitter, other, MINTER_PK);

        vm.assertEq(collection.balanceOf(voucher.to, voucher.id), balanceBefore + voucher.amount, "replay minted");
        vm.assertEq(collection.totalMinted(voucher.id), mintedAfterFirst, "replay changed totalMinted");
        vm.assertEq(collection.totalMinted(other.id), other.id == voucher.id ? mintedAfterFirst : 0, "replay minted other type");
        vm.assertEq(treasury.balance, treasuryBefore + voucher.price, "replay paid");
    }

    /// @notice A voucher signed by any key without MINTER_ROLE is refused and does not burn its uid.
    function testFuzz_voucherSignedByNonMinterIsRefused(uint256 pk, bytes32 uid, uint256 toSeed, uint256 amountSeed) public {
        pk = _bound(pk, 1, SECP256K1_N - 1);
        address signer = vm.addr(pk);
        vm.assume(!collection.hasRole(collection.MINTER_ROLE(), signer));
        IStampbookCollection.ClaimVoucher memory voucher = _voucher(uid, toSeed, 0, amountSeed, 0, 3);
        vm.expectRevert(abi.encodeWithSelector(IStampbookCollection.VoucherSignerUnauthorized.selector, signer));
        this.claimAs(address(this), voucher, pk);
        vm.assertFalse(collection.isVoucherUsed(uid), "refused voucher burned its uid");
    }

    // ================================================================ 4. memberships

    /// @notice Through random warps and renewals, isMembershipActive == (held && now < expiresAt), and it is false
    ///         from the expiry second on.
    function testFuzz_membershipActiveIffHeldAndUnexpired(uint256 durationSeed, uint256 holderSeed, uint256[5] calldata steps) public {
        uint32 duration = uint32(_bound(durationSeed, 1, 5 * 365 days));
        uint256 id = _create(IStampbookCollection.Kind.Membership, 0, duration, false, false, 1 gwei);
        address holder = _holder(holderSeed);
        _assertMembershipState(holder, id);
        collection.mint(holder, id, 1);
        vm.assertEq(collection.expiresAt(holder, id), block.timestamp + duration, "mint expiry");
        _assertMembershipState(holder, id);

        for (uint256 i; i < steps.length; ++i) {
            uint256 step = steps[i];
            uint256 action = step % 4;
            uint64 current = collection.expiresAt(holder, id);
            if (action == 0) {
                vm.warp(block.timestamp + _bound(step >> 8, 0, 2 * uint256(duration)));
            } else if (action == 1 || action == 2) {
                uint32 periods = uint32(_bound(step >> 8, 1, 3));
                uint256 expected = _max(block.timestamp, current) + uint256(duration) * periods;
                if (action == 1) {
                    collection.renewFor(holder, id, periods);
                } else {
                    collection.renew{value: uint256(1 gwei) * periods}(holder, id, periods);
                }
                vm.assertEq(collection.expiresAt(holder, id), expected, "renewal expiry");
            } else {
                // Exactly at, just before or just after the expiry second.
                vm.warp(uint256(current) + (step >> 8) % 3 - 1);
            }
            _assertMembershipState(holder, id);
        }

        uint64 expiry = collection.expiresAt(holder, id);
        vm.warp(uint256(expiry) - 1);
        vm.assertTrue(collection.isMembershipActive(holder, id), "inactive one second before expiry");
        vm.warp(expiry);
        vm.assertFalse(collection.isMembershipActive(holder, id), "active at expiresAt");
        vm.warp(uint256(expiry) + _bound(holderSeed, 1, 10 * 365 days));
        vm.assertFalse(collection.isMembershipActive(holder, id), "active after expiresAt");
        vm.prank(holder);
        collection.burn(holder, id, 1);
        vm.assertEq(collection.expiresAt(holder, id), 0, "expiry survives burn");
        _assertMembershipState(holder, id);
    }

    /// @notice A transferred membership keeps its expiry: the receiver's expiresAt is the sender's previous one
    ///         (expired stays expired), the sender's becomes 0, and a fresh mint to the sender starts anew.
    function testFuzz_membershipTransferMovesExpiryWhole(
        uint256 durationSeed,
        uint256 elapsedSeed,
        uint256 periodsSeed,
        uint256 fromSeed,
        uint256 toSeed,
        bool viaOperator
    ) public {
        uint32 duration = uint32(_bound(durationSeed, 1, 5 * 365 days));
        uint256 id = _create(IStampbookCollection.Kind.Membership, 0, duration, false, false, 0);
        address from = _holder(fromSeed);
        address to = _holder(toSeed);
        vm.assume(from != to);

        collection.mint(from, id, 1);
        vm.warp(block.timestamp + _bound(elapsedSeed, 0, 3 * uint256(duration)));
        uint32 periods = uint32(periodsSeed % 4);
        if (periods != 0) collection.renewFor(from, id, periods);
        uint64 previous = collection.expiresAt(from, id);
        bool wasActive = collection.isMembershipActive(from, id);
        vm.assertEq(wasActive, block.timestamp < previous, "active before transfer");

        address caller = from;
        if (viaOperator) {
            caller = _holder(fromSeed ^ toSeed ^ 0x0B);
            vm.prank(from);
            collection.setApprovalForAll(caller, true);
        }
        // Sending to oneself changes nothing: not the balance, not the expiry.
        vm.prank(caller);
        collection.safeTransferFrom(from, from, id, 1, "");
        vm.assertEq(collection.balanceOf(from, id), 1, "self-transfer changed the balance");
        vm.assertEq(collection.expiresAt(from, id), previous, "self-transfer changed the expiry");

        vm.prank(caller);
        collection.safeTransferFrom(from, to, id, 1, "");

        vm.assertEq(collection.expiresAt(to, id), previous, "receiver expiry != sender's previous");
        vm.assertEq(collection.expiresAt(from, id), 0, "sender expiry not cleared");
        vm.assertEq(collection.balanceOf(to, id), 1, "receiver balance");
        vm.assertEq(collection.balanceOf(from, id), 0, "sender balance");
        vm.assertEq(collection.isMembershipActive(to, id), wasActive, "receiver activity");
        vm.assertFalse(collection.isMembershipActive(from, id), "sender still active");
        _assertMembershipState(to, id);
        _assertMembershipState(from, id);

        collection.mint(from, id, 1);
        vm.assertEq(collection.expiresAt(from, id), block.timestamp + duration, "fresh mint inherited an expiry");
        vm.expectRevert(abi.encodeWithSelector(IStampbookCollection.MembershipAlreadyHeld.selector, from, id));
        vm.prank(to);
        collection.safeTransferFrom(to, from, id, 1, "");
    }

    /// @notice Paid and free renewals add their periods to the later of now and the current expiry, so an early
    ///         renewal loses nothing and a late one does not backdate.
    function testFuzz_renewalsExtendFromLaterOfNowAndExpiry(
        uint256 elapsedSeed,
        uint256 periodsSeed,
        uint256 secondPeriodsSeed,
        bool paid,
        uint256 holderSeed,
        uint256 payerSeed
    ) public {
        address holder = _holder(holderSeed);
        uint256 duration = 30 days;
        collection.mint(holder, membership, 1);
        vm.warp(block.timestamp + _bound(elapsedSeed, 0, 3 * duration));

        uint64 previous = collection.expiresAt(holder, membership);
        uint32 periods = uint32(_bound(periodsSeed, 1, 24));
        uint256 expected = _max(block.timestamp, previous) + duration * periods;
        _renew(paid, payerSeed, holder, periods);
        vm.assertEq(collection.expiresAt(holder, membership), expected, "renewal not from max(now, expiry)");
        vm.assertTrue(collection.isMembershipActive(holder, membership), "renewed membership inactive");

        // A second renewal right away stacks on the new expiry, not on now.
        uint32 more = uint32(_bound(secondPeriodsSeed, 1, 24));
        _renew(!paid, payerSeed >> 8, holder, more);
        vm.assertEq(collection.expiresAt(holder, membership), expected + duration * more, "renewals do not stack");
        _assertMembershipState(holder, membership);
    }

    // ================================================================ helpers

    /// @dev External so `expectRevert` applies to the claim below the test's own call depth.
    function claimAs(address submitter, IStampbookCollection.ClaimVoucher calldata voucher, uint256 pk) external {
        _claimAs(submitter, voucher, pk);
    }

    function _claimAs(address submitter, IStampbookCollection.ClaimVoucher memory voucher, uint256 pk) internal {
        (bytes32 r, bytes32 vs) = _signCompact(pk, collection.hashClaimVoucher(voucher));
        vm.deal(submitter, voucher.price);
        vm.prank(submitter);
        collection.claim{value: voucher.price}(voucher, r, vs);
    }

    /// @dev ERC-2098: vs = s | (v - 27) << 255.
    function _signCompact(uint256 pk, bytes32 digest) internal pure returns (bytes32 r, bytes32 vs) {
        (uint8 v, bytes32 r_, bytes32 s) = vm.sign(pk, digest);
        r = r_;
        vs = bytes32(uint256(s) | (uint256(v - 27) << 255));
    }

    /// @dev A voucher that is valid now, for a type picked by `typeSeed`, with a mintable amount.
    function _voucher(bytes32 uid, uint256 toSeed, uint256 typeSeed, uint256 amountSeed, uint256 priceSeed, uint256 windowSeed)
        internal
        view
        returns (IStampbookCollection.ClaimVoucher memory voucher)
    {
        uint256[5] memory ids = [capped, consumable, soulbound, membership, lifetime];
        voucher.id = ids[typeSeed % ids.length];
        voucher.to = _holder(toSeed);
        voucher.amount = voucher.id == membership || voucher.id == lifetime ? 1 : _bound(amountSeed, 0, 20);
        voucher.uid = uid;
        voucher.price = priceSeed % 3 == 0 ? 0 : _bound(priceSeed, 1, 1 ether);
        voucher.validAfter = uint64(block.timestamp - _bound(windowSeed, 0, 7 days));
        voucher.validUntil = uint64(block.timestamp + _bound(windowSeed >> 64, 0, 7 days));
    }

    function _renew(bool paid, uint256 payerSeed, address holder, uint32 periods) internal {
        if (!paid) {
            collection.renewFor(holder, membership, periods);
            return;
        }
        address payer = _holder(payerSeed);
        uint256 price = uint256(RENEWAL_PRICE) * periods;
        uint256 treasuryBefore = treasury.balance;
        vm.deal(payer, price);
        vm.prank(payer);
        collection.renew{value: price}(holder, membership, periods);
        vm.assertEq(treasury.balance, treasuryBefore + price, "renewal payment");
    }

    function _assertMembershipState(address holder, uint256 id) internal view {
        uint256 balance = collection.balanceOf(holder, id);
        uint64 expiry = collection.expiresAt(holder, id);
        bool active = collection.isMembershipActive(holder, id);
        vm.assertEq(active, balance > 0 && block.timestamp < expiry, "isMembershipActive != (held && now < expiresAt)");
        if (block.timestamp >= expiry) vm.assertFalse(active, "expired membership is active");
    }

    /// @dev An EOA (a key's address) so ERC-1155 acceptance checks never call code. Keys start above the
    ///      treasury's, so a holder or payer is never the treasury.
    function _holder(uint256 seed) internal pure returns (address) {
        return vm.addr(_bound(seed, 0x10000, 1e30));
    }

    function _create(IStampbookCollection.Kind kind, uint64 max, uint32 duration, bool soulbound_, bool consumable_, uint128 price)
        internal
        returns (uint256)
    {
        return collection.createTokenType(
            IStampbookCollection.TokenTypeConfig(kind, max, duration, soulbound_, consumable_, price, 1, "ipfs://type")
        );
    }

    function _max(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a : b;
    }

    receive() external payable {}
}
