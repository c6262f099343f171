/**
 * The zero-copy rolling upgrade of seed 000: a single VM (S11–S13) and an ACT/SBY pair
 * (S21–S29), each step a class of its own, journaled before and after it runs so that
 * {@link dev.duplex.engine.upgrade.RollingUpgrade#resume} continues after the orchestrator was
 * killed at any point and {@link dev.duplex.engine.upgrade.RollingUpgrade#rollback} returns the
 * pair to its old images on the same volumes.
 *
 * <p>Decisions worth knowing:
 * <ul>
 *   <li>The old VM of a member is deleted (it is stopped by then) right before its new VM is
 *       created in S22/S27, and re-created from the journaled definition (old image, same links,
 *       same properties, same name) when a health check fails or on rollback. Keeping it defined
 *       would make rollback a start instead of a create, but a driver may refuse two VM
 *       definitions that link one volume and the inventory forbids it; re-creating costs one
 *       {@code createVm}, with no byte of the database copied.
 *   <li>The member's inventory record points at its new VM as soon as S22/S27 created it, so the
 *       record always names a VM that exists (save the instant between delete and create).
 *   <li>No step ever deletes a volume. {@code snapshot-copy} creates a copy volume per member and
 *       keeps the original.
 * </ul>
 */
package dev.duplex.engine.upgrade;
