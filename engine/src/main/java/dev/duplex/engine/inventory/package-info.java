/**
 * What Duplex knows about endpoints, images, volumes, VMs and pairs, and the ports through
 * which the engine reads and changes it. Persistence implements the ports; the engine never
 * sees SQL.
 */
package dev.duplex.engine.inventory;
