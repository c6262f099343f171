/** Ports for what environment sync keeps: the active's revisions (101), the diffs (103), calibrated cost models. */
package dev.duplex.engine.envstore;
