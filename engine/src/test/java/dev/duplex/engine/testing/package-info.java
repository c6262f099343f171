/**
 * Hand-written in-memory stand-ins for the engine's ports (inventory, job queue, audit log) and
 * an atomic in-memory environment store, shared by the engine's tests. Real PostgreSQL is
 * tested in persistence; these keep engine tests fast and deterministic.
 */
package dev.duplex.engine.testing;
