/**
 * Jobs (upgrades, failovers) and their step journal: the record that lets a job survive the
 * orchestrator being killed, and lets any instance take over a job whose owner died.
 */
package dev.duplex.engine.job;
