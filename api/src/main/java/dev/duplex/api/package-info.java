/**
 * The Duplex driver SPI.
 *
 * <p>A driver makes one kind of hypervisor platform (the embedded local driver, KVM through
 * libvirt, VMware vSphere, OpenStack, or a third party's own) usable by the Duplex engine. A
 * driver jar contains one {@link dev.duplex.api.DriverProvider}, registered in
 * {@code META-INF/services/dev.duplex.api.DriverProvider}, and depends on this package only.
 *
 * <p>Everything here is a record, an enum, a small interface or a {@link
 * dev.duplex.api.DriverException}. This package has no dependency beyond the JDK, so a driver
 * never inherits a library version from Duplex.
 */
package dev.duplex.api;
